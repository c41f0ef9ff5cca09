package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.TimerFd;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The agent's one event loop: one thread, one {@code epoll} over every probe's fd, a timer and the
 * channel to the host.
 *
 * <p>Observations go into a bounded {@link EventQueue}; the sender encodes them into a fixed output
 * buffer and writes what the socket takes, never waiting. When the queue is full, or the channel
 * is down long enough to fill it, events are discarded and counted; a frame cut by a broken
 * channel is counted too. The count goes to the host as {@code telemetry.dropped} whenever it has
 * changed (at most every {@link #DROP_REPORT_INTERVAL_NANOS}) and first thing on every new
 * connection, where it also carries the agent's {@link Session} value, the proof to the host that
 * the connection is the agent's. {@code agent.heartbeat} goes out when nothing else went out for the heartbeat
 * interval; between those, an idle agent does not wake.
 *
 * <p>With a scope root, the loop also watches the root process (a {@code pidfd}): once it has
 * ended, there is nothing left to observe, and the loop stops as on {@link #stop} — so that an
 * agent whose cell was torn down from outside (its host side killed) does not run on.
 *
 * <p>Threading: everything runs on the thread that calls {@link #run}. Owns the probes, the
 * channel, the epoll and timer fds, and its native memory.
 */
public final class Agent implements AutoCloseable {
    static final long DROP_REPORT_INTERVAL_NANOS = 500_000_000L;
    /** How long a stopping agent gives its probes and its queue to hand over and send what they hold. */
    private static final long FINISH_NANOS = 1_000_000_000L;
    private static final long RECONNECT_MIN_NANOS = 50_000_000L;
    private static final long RECONNECT_MAX_NANOS = 2_000_000_000L;
    private static final long TOKEN_TIMER = -1;
    private static final long TOKEN_CHANNEL = -2;
    private static final long TOKEN_WAKEUP = -3;
    private static final long TOKEN_ROOT = -4;
    private static final int OUT_BYTES = 64 * 1024;
    private static final int MAX_FRAMES = 2048;

    private final Channel channel;
    private final List<Probe> probes;
    private final OomGuard guard;
    private final EventQueue queue;
    private final long heartbeatNanos;
    private final PrintStream log;
    private final int pid;
    private final String comm;
    private final String session;
    private final Epoll epoll;
    private final TimerFd timer;
    private final Wakeup wakeup;
    /** The scope root's pidfd; {@code null} when everything is in scope. */
    private final Fd root;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment out = arena.allocate(OUT_BYTES, 8);
    private final MemorySegment scratchIn = arena.allocate(512);
    private final byte[] frame = new byte[Wire.MAX_FRAME_BYTES];
    private final FrameEncoder encoder = new FrameEncoder();
    private final int[] frameEnds = new int[MAX_FRAMES];
    private final boolean[] frameIsEvent = new boolean[MAX_FRAMES];
    private final Attribution output;

    private int outStart;
    private int outEnd;
    private int frameHead;
    private int frameCount;
    private int channelInterest;
    private boolean channelRegistered;
    private long lastSendNanos;
    private long reconnectAtNanos;
    private long reconnectDelayNanos = RECONNECT_MIN_NANOS;
    private long lastReportedDropped = -1;
    private long lastDropReportNanos;
    private boolean reportDropsNow = true;
    /** The next frame is a connection's first: it carries the session. */
    private boolean sessionDue;
    private long armedDeadline = Long.MIN_VALUE;
    private long delivered;
    private boolean warnedDown;
    private volatile boolean running = true;

    /**
     * @param channel the transport, not yet connected; owned by the agent from now on
     * @param probes  probes already armed; owned by the agent from now on
     * @param guard   keeps the agent's and init's OOM score, and tells when it had to
     * @throws ErrnoException naming the pid if the scope root is not running (ESRCH)
     */
    Agent(Channel channel, List<Probe> probes, EventQueue queue, ProcessScope scope, OomGuard guard,
          long heartbeatNanos, int pid, String comm, PrintStream log) throws ErrnoException {
        this.channel = channel;
        this.probes = probes;
        this.guard = guard;
        this.queue = queue;
        this.heartbeatNanos = heartbeatNanos;
        this.pid = pid;
        this.comm = comm;
        this.session = Session.draw();
        this.log = log;
        this.epoll = new Epoll(64);
        this.timer = new TimerFd();
        this.wakeup = new Wakeup();
        this.output = new Attribution(queue, scope, pid, comm);
        this.root = scope.isEverything() ? null
                : new Fd((int) Libc.PIDFD_OPEN.call("scope root pid " + scope.root(), scope.root(), 0), "scope root pidfd");

        epoll.add(timer.fd(), Epoll.EPOLLIN, TOKEN_TIMER);
        epoll.add(wakeup.fd(), Epoll.EPOLLIN, TOKEN_WAKEUP);
        if (root != null) {
            epoll.add(root.get(), Epoll.EPOLLIN, TOKEN_ROOT);
        }
        lastSendNanos = System.nanoTime();
    }

    /** The sink probes emit into; for probes armed after construction. */
    ProbeOutput output() {
        return output;
    }

    /**
     * Connects the channel, waiting at most {@code patienceNanos}: part of becoming ready.
     *
     * @throws ErrnoException naming the address and the errno if it cannot connect
     */
    void connect(long patienceNanos) throws ErrnoException {
        long deadline = System.nanoTime() + patienceNanos;
        if (!channel.connect()) {
            registerChannel(Epoll.EPOLLOUT);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    channel.disconnect();
                    throw new ErrnoException("connect(" + channel.address() + ") within "
                            + patienceNanos / 1_000_000 + " ms", Errno.ETIMEDOUT);
                }
                int n = epoll.await((int) Math.max(1, left / 1_000_000));
                boolean ready = false;
                for (int i = 0; i < n; i++) {
                    ready |= epoll.token(i) == TOKEN_CHANNEL;
                }
                if (ready) {
                    channel.finishConnect();
                    break;
                }
            }
        }
        onConnected();
    }

    /**
     * Runs the loop until {@link #stop}.
     *
     * @throws IOException on a failure the agent cannot recover from (the process then exits 3)
     */
    public void run() throws IOException {
        for (int i = 0; i < probes.size(); i++) {
            epoll.add(probes.get(i).fd(), Epoll.EPOLLIN, i);
        }
        while (running) {
            armTimer(System.nanoTime());
            int n = epoll.await(-1);
            boolean probeReady = false;
            for (int i = 0; i < n; i++) {
                long token = epoll.token(i);
                if (token >= 0) {
                    probeReady = true;
                } else if (token == TOKEN_TIMER) {
                    timer.drain();
                    armedDeadline = Long.MIN_VALUE; // one-shot: spent
                } else if (token == TOKEN_WAKEUP) {
                    wakeup.drain();
                } else if (token == TOKEN_ROOT) {
                    epoll.remove(root.get()); // the root has ended: what is left is handed over, as on stop
                    running = false;
                } else if (token == TOKEN_CHANNEL) {
                    onChannel(epoll.events(i));
                }
            }
            long now = System.nanoTime();
            guard.check(now, what -> {
                log.println("cellos-telemetry: tampered: " + what);
                output.tampered(-1, null, what);
            });
            if (probeReady) {
                readProbes(now);
            } else {
                output.endOfWake(false, now); // a name's wait may be over
            }
            if (!channel.isOpen() && now - reconnectAtNanos >= 0) {
                reconnect(now);
            }
            pump(now);
        }
        finish();
    }

    /**
     * After {@link #stop}: each probe hands over what the kernel still holds for it
     * ({@link Probe#finish}), and what is queued goes out — with a last drop report if the count
     * changed — within {@link #FINISH_NANOS} in all. What cannot go out in that time is counted as
     * dropped, like any event the channel could not take.
     */
    private void finish() throws IOException {
        long deadline = System.nanoTime() + FINISH_NANOS;
        for (Probe p : probes) {
            p.finish(output, deadline);
        }
        output.releaseAll();
        if (queue.dropped() != lastReportedDropped) {
            reportDropsNow = true;
        }
        while (channel.isConnected() && (queue.size() > 0 || outEnd > outStart || reportDropsNow)
                && System.nanoTime() - deadline < 0) {
            pump(System.nanoTime());
            if (queue.size() > 0 || outEnd > outStart) {
                try {
                    Thread.sleep(2); // the socket is full: the host is reading
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        queue.countDropped(queue.size());
        dropUnsentFrames();
    }

    /** Counts the events among the frames not (wholly) written as dropped, and forgets the frames. */
    private void dropUnsentFrames() {
        for (int i = 0; i < frameCount; i++) {
            if (frameIsEvent[(frameHead + i) % MAX_FRAMES]) {
                queue.countDropped(1); // written in part or not at all
            }
        }
        frameCount = 0;
    }

    /**
     * Reads every probe, in list order, whichever woke the loop — audit's records and the declared
     * files, then the process probe, whose messages about a process the kernel queued before the
     * others' records of it — and ends the wake in {@link Attribution}.
     */
    private void readProbes(long now) throws IOException {
        boolean processesBehind = false;
        for (Probe p : probes) {
            p.onReadable(output);
            processesBehind |= p.processesBehind();
        }
        output.endOfWake(!processesBehind, now);
    }

    /** Asks the loop to end; safe from any thread. {@link #run} returns soon after. */
    public void stop() {
        running = false;
        wakeup.wake();
    }

    /** Events the host received in whole frames on open connections. */
    long delivered() {
        return delivered;
    }

    long dropped() {
        return queue.dropped();
    }

    private void onChannel(int events) {
        if (!channel.isConnected()) {
            try {
                channel.finishConnect();
                onConnected();
            } catch (ErrnoException e) {
                disconnected(e.getMessage());
            }
            return;
        }
        if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0
                && !channel.drainInput(scratchIn)) {
            disconnected("the host closed the connection");
        }
    }

    private void onConnected() {
        reconnectDelayNanos = RECONNECT_MIN_NANOS;
        reportDropsNow = true;
        sessionDue = true;
        if (warnedDown) {
            log.println("cellos-telemetry: reconnected to " + channel.address() + "; " + queue.dropped()
                    + " events dropped so far");
            warnedDown = false;
        }
        updateInterest();
    }

    private void reconnect(long now) {
        try {
            if (channel.connect()) {
                channelRegistered = false;
                onConnected();
            } else {
                channelRegistered = false;
                registerChannel(Epoll.EPOLLOUT);
            }
        } catch (ErrnoException e) {
            channelRegistered = false;
            scheduleReconnect(now, e.getMessage());
        }
    }

    private void disconnected(String why) {
        long now = System.nanoTime();
        dropUnsentFrames();
        outStart = outEnd = 0;
        channel.disconnect();
        channelRegistered = false;
        scheduleReconnect(now, why);
    }

    private void scheduleReconnect(long now, String why) {
        if (!warnedDown) {
            log.println("cellos-telemetry: channel to " + channel.address() + " down (" + why
                    + "); reconnecting, events are queued up to the limit and counted beyond it");
            warnedDown = true;
        }
        reconnectAtNanos = now + reconnectDelayNanos;
        reconnectDelayNanos = Math.min(RECONNECT_MAX_NANOS, reconnectDelayNanos * 2);
    }

    /** Encodes and writes until the socket or the queue has nothing more to take. */
    private void pump(long now) {
        if (!channel.isConnected()) {
            return;
        }
        while (true) {
            fill(now);
            if (outEnd == outStart) {
                break;
            }
            long n = channel.write(out.asSlice(outStart), outEnd - outStart);
            if (n == -Errno.EAGAIN) {
                break;
            }
            if (n < 0) {
                disconnected(Errno.describe((int) -n));
                return;
            }
            outStart += (int) n;
            lastSendNanos = now;
            while (frameCount > 0 && frameEnds[frameHead] <= outStart) {
                if (frameIsEvent[frameHead]) {
                    delivered++;
                }
                frameHead = (frameHead + 1) % MAX_FRAMES;
                frameCount--;
            }
            if (outStart == outEnd) {
                outStart = outEnd = 0;
            }
        }
        updateInterest();
    }

    /** Moves control frames that are due, then queued events, into the output buffer while it has room. */
    private void fill(long now) {
        long dropped = queue.dropped();
        if ((reportDropsNow || dropped != lastReportedDropped && now - lastDropReportNanos >= DROP_REPORT_INTERVAL_NANOS)
                && room()) {
            control(ProbeSource.TELEMETRY_DROPPED, dropped, now);
            lastReportedDropped = dropped;
            lastDropReportNanos = now;
            reportDropsNow = false;
        }
        while (queue.size() > 0 && room()) {
            ProbeEvent e = queue.peek();
            queue.remove();
            try {
                append(encoder.encode(e, frame, 0), true);
            } catch (FrameException tooLarge) {
                queue.countDropped(1);
            }
        }
        if (outEnd == outStart && queue.size() == 0 && now - lastSendNanos >= heartbeatNanos && room()) {
            control(ProbeSource.AGENT_HEARTBEAT, -1, now);
        }
    }

    private void control(ProbeSource source, long droppedTotal, long now) {
        try {
            encoder.begin(frame, 0, Wire.VERSION_1_0, source, pid, comm, now);
            if (droppedTotal >= 0) {
                encoder.uint(Field.DROPPED_TOTAL, droppedTotal);
            }
            if (sessionDue) { // the drop report goes first on every connection
                encoder.text(Field.SESSION, session);
                sessionDue = false;
            }
            append(encoder.finish(), false);
        } catch (FrameException e) {
            throw new IllegalStateException("a control frame always fits", e);
        }
    }

    private boolean room() {
        if (frameCount == MAX_FRAMES) {
            return false;
        }
        if (OUT_BYTES - outEnd >= Wire.MAX_FRAME_BYTES) {
            return true;
        }
        if (outStart > 0) { // compact: move what is unsent to the front
            MemorySegment.copy(out, outStart, out, 0, outEnd - outStart);
            for (int i = 0; i < frameCount; i++) {
                frameEnds[(frameHead + i) % MAX_FRAMES] -= outStart;
            }
            outEnd -= outStart;
            outStart = 0;
        }
        return OUT_BYTES - outEnd >= Wire.MAX_FRAME_BYTES;
    }

    private void append(int length, boolean isEvent) {
        MemorySegment.copy(frame, 0, out, JAVA_BYTE, outEnd, length);
        outEnd += length;
        int slot = (frameHead + frameCount) % MAX_FRAMES;
        frameEnds[slot] = outEnd;
        frameIsEvent[slot] = isEvent;
        frameCount++;
    }

    private void updateInterest() {
        if (!channel.isOpen()) {
            return;
        }
        int want = Epoll.EPOLLIN | Epoll.EPOLLRDHUP | (outEnd > outStart ? Epoll.EPOLLOUT : 0);
        if (!channelRegistered || want != channelInterest) {
            registerChannel(want);
        }
    }

    private void registerChannel(int events) {
        try {
            if (channelRegistered) {
                epoll.modify(channel.fd(), events, TOKEN_CHANNEL);
            } else {
                epoll.add(channel.fd(), events, TOKEN_CHANNEL);
                channelRegistered = true;
            }
            channelInterest = events;
        } catch (ErrnoException e) {
            disconnected(e.getMessage());
        }
    }

    /** Arms the timer for the next thing due: a heartbeat, a drop report, a reconnect. */
    private void armTimer(long now) {
        long due = Long.MAX_VALUE;
        boolean stalled = outEnd > outStart; // the channel's writability wakes the loop, not the timer
        if (channel.isConnected() && !stalled) {
            if (queue.size() == 0) {
                due = lastSendNanos + heartbeatNanos;
            }
            if (queue.dropped() != lastReportedDropped) {
                due = Math.min(due, lastDropReportNanos + DROP_REPORT_INTERVAL_NANOS);
            }
        } else if (!channel.isOpen()) {
            due = reconnectAtNanos;
        }
        due = Math.min(due, output.nextDeadline());
        if (due == armedDeadline) {
            return;
        }
        armedDeadline = due;
        try {
            timer.arm(due == Long.MAX_VALUE ? 0 : Math.max(1, due - now), 0);
        } catch (ErrnoException e) {
            throw new IllegalStateException("timerfd_settime cannot fail on a valid timer", e);
        }
    }

    @Override
    public void close() {
        for (Probe p : probes) {
            p.close();
        }
        channel.close();
        timer.close();
        wakeup.close();
        if (root != null) {
            root.close();
        }
        epoll.close();
        arena.close();
    }
}
