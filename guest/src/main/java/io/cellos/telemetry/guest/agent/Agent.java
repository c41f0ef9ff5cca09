package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.exec.ExecutableHash;
import io.cellos.telemetry.guest.exec.ExecutableHasher;
import io.cellos.telemetry.guest.exec.HashLimits;
import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.guest.probe.ebpf.WakeWindow;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The agent's one event loop: one thread, one {@code epoll} over every probe's fd, a timer, the
 * link to the host, the {@link ExecutableHasher}'s answers and, with a scope root, the root's
 * {@code pidfd}.
 *
 * <p>Each wake: the probes whose fd is readable or whose records wait are read, and the process
 * probe always ({@link #readProbes}), what they observed is attributed
 * ({@link Attribution}) into the bounded {@link EventQueue}, and the {@link Sender} writes what the
 * socket takes, never waiting; the {@link Link} reconnects when the connection broke. Between
 * wakes, the timer fires by the next thing due (a heartbeat, a drop report, a reconnect, a held
 * name's or exec's end; {@link WakeTimer}), so an idle agent does not wake; while the eBPF rings'
 * {@link WakeWindow} holds records back, the loop waits no longer than it promised. The hasher's
 * answers complete the execs held for them ({@link ExecDigests}) as they come.
 *
 * <p>Once the scope root has ended there is nothing left to observe: the loop stops as on
 * {@link #stop}, so that an agent whose cell was torn down from outside does not run on.
 *
 * <p>Threading: everything runs on the thread that calls {@link #run}, but for the hasher's worker
 * thread, which only reads files. Owns the probes, the window, the link, the hasher, the epoll and
 * timer fds.
 */
public final class Agent implements AutoCloseable {
    /** How long a stopping agent gives its probes and its queue to hand over and send what they hold. */
    private static final long FINISH_NANOS = 1_000_000_000L;
    private static final long TOKEN_TIMER = -1;
    private static final long TOKEN_CHANNEL = -2;
    private static final long TOKEN_WAKEUP = -3;
    private static final long TOKEN_ROOT = -4;
    private static final long TOKEN_HASHES = -5;

    private final List<Probe> probes;
    private final WakeWindow window;
    /** The probes read once more before a connect is sent ({@link Probe#namesOthersEvents}). */
    private final List<Probe> namers;
    private final EventQueue queue;
    /** Which probes' fds the last wait reported readable, by their place in {@link #probes}. */
    private final boolean[] ready;
    private final OomGuard guard;
    private final PrintStream log;
    private final Epoll epoll;
    private final WakeTimer timer;
    private final Wakeup wakeup;
    /** The scope root's pidfd; {@code null} when everything is in scope. */
    private final Fd root;
    private final Attribution output;
    private final Sender sender;
    private final Link link;
    /** Null when its eventfd could not be made: execs then go without {@code sha256}. */
    private final ExecutableHasher hasher;
    /** The loop's callbacks, made once rather than in every turn that uses them. */
    private final Consumer<String> guardTold = this::guardTold;
    private final Consumer<ExecutableHash> hashed;
    private volatile boolean running = true;

    /**
     * @param channel the transport, not yet connected; owned by the agent from now on
     * @param probes  probes already armed, in the order they are read in (see {@link #readProbes});
     *                owned by the agent from now on
     * @param window  the window the eBPF probes among them submit under ({@link WakeWindow#NONE} if
     *                none); owned by the agent from now on
     * @param guard   keeps the agent's and init's OOM score, and tells when it had to
     * @throws ErrnoException naming the pid if the scope root is not running (ESRCH)
     */
    Agent(Channel channel, List<Probe> probes, WakeWindow window, EventQueue queue, ProcessScope scope,
          OomGuard guard, long heartbeatNanos, int pid, String comm, PrintStream log) throws ErrnoException {
        this.probes = probes;
        this.window = window;
        this.namers = probes.stream().filter(Probe::namesOthersEvents).toList();
        this.queue = queue;
        this.ready = new boolean[probes.size()];
        this.guard = guard;
        this.log = log;
        this.epoll = new Epoll(64);
        this.timer = new WakeTimer();
        this.wakeup = new Wakeup();
        this.hasher = hasher(log);
        this.output = new Attribution(queue, scope, pid, comm, hasher == null ? null : hasher::request,
                ExecDigests.CAPACITY);
        this.hashed = output::hashed;
        this.sender = new Sender(queue, heartbeatNanos, pid, comm, Session.draw(), System.nanoTime());
        this.link = new Link(channel, epoll, TOKEN_CHANNEL, log, sender);
        this.root = scope.isEverything() ? null
                : new Fd((int) Libc.PIDFD_OPEN.call("scope root pid " + scope.root(), scope.root(), 0), "scope root pidfd");

        epoll.add(timer.fd(), Epoll.EPOLLIN, TOKEN_TIMER);
        epoll.add(wakeup.fd(), Epoll.EPOLLIN, TOKEN_WAKEUP);
        if (root != null) {
            epoll.add(root.get(), Epoll.EPOLLIN, TOKEN_ROOT);
        }
        if (hasher != null) {
            epoll.add(hasher.fd(), Epoll.EPOLLIN, TOKEN_HASHES);
        }
    }

    /** The hasher, or null, said in the log, if it cannot be started: hashes are not worth the agent. */
    private static ExecutableHasher hasher(PrintStream log) {
        try {
            return new ExecutableHasher(HashLimits.DEFAULT);
        } catch (ErrnoException e) {
            log.println("cellos-telemetry: execs go without sha256: " + e.getMessage());
            return null;
        }
    }

    /** The sink probes emit into; for probes armed after construction. */
    ProbeOutput output() {
        return output;
    }

    /**
     * Connects to the host, waiting at most {@code patienceNanos}: part of becoming ready.
     *
     * @throws ErrnoException naming the address and the errno if it cannot connect
     */
    void connect(long patienceNanos) throws ErrnoException {
        link.connect(patienceNanos);
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
            turn();
        }
        finish();
    }

    /**
     * One turn of the loop: wait for a wake, then read, attribute and send. A method of its own so
     * that the JIT compiles it after a few turns: the loop around it is entered once, and a body
     * written inside it would run interpreted until C1 replaced the loop on its stack, after some
     * 60,000 turns (BENCHMARKS.md, "The agent's Java per event").
     */
    private void turn() throws IOException {
        long before = System.nanoTime();
        armTimer(before);
        boolean probeReady = awaitWake(anyProbe(Probe::stoppedAtBound) ? 0 : window.waitMillis(before));
        long now = System.nanoTime();
        guard.check(now, guardTold);
        boolean waiting = markWaiting();
        window.renew(now, waiting);
        if (probeReady || waiting) {
            readProbes();
            output.endOfWake(!anyProbe(Probe::processesBehind), now);
        } else {
            output.endOfWake(false, now); // a name's wait may be over
        }
        link.reconnectIfDue(now);
        nameConnects();
        sender.pump(now, link);
    }

    /** What the {@link OomGuard} had to put back: logged and declared. */
    private void guardTold(String what) {
        log.println("cellos-telemetry: tampered: " + what);
        output.tampered(-1, null, what);
    }

    /**
     * Waits for the next wake, at most {@code timeoutMillis} (-1: no limit), and handles what is not
     * a probe's; whether a probe's fd is readable.
     */
    private boolean awaitWake(int timeoutMillis) throws ErrnoException {
        int n = epoll.await(timeoutMillis);
        boolean probeReady = false;
        for (int i = 0; i < n; i++) {
            long token = epoll.token(i);
            if (token >= 0) {
                probeReady = true;
                ready[(int) token] = true;
            } else if (token == TOKEN_TIMER) {
                timer.fired();
            } else if (token == TOKEN_WAKEUP) {
                wakeup.drain();
            } else if (token == TOKEN_HASHES) {
                hasher.drain(hashed);
            } else if (token == TOKEN_ROOT) {
                epoll.remove(root.get()); // the root has ended: what is left is handed over, as on stop
                running = false;
            } else if (token == TOKEN_CHANNEL) {
                link.onEvents(epoll.events(i));
            }
        }
        return probeReady;
    }

    /**
     * Marks for reading the probes whose records wait unsignalled ({@link Probe#recordsWaiting}: the
     * eBPF rings, under a {@link WakeWindow}); whether any does. No system call.
     */
    private boolean markWaiting() {
        boolean any = false;
        for (int i = 0; i < ready.length; i++) {
            if (probes.get(i).recordsWaiting()) {
                ready[i] = true;
                any = true;
            }
        }
        return any;
    }

    /**
     * Reads, in list order, every probe whose fd the wait reported readable or whose records wait
     * ({@link #markWaiting}), and the last probe whatever woke the loop. The order is
     * {@link ProbeSet}'s: audit's records and the declared files first, the process probe last —
     * the kernel queued its messages about a process before the others' records of it, so once it
     * has been read, {@link Attribution} can decide what the others said. Any other probe has
     * nothing to hand over; reading it anyway would cost a system call for most (a {@code recv}
     * that finds nothing), once per wake. What becomes readable after the wait is read in the next
     * wake, the fds being level-triggered, and what an eBPF ring holds unsignalled by the promised
     * one ({@link WakeWindow}).
     */
    private void readProbes() throws IOException {
        int last = probes.size() - 1;
        for (int i = 0; i <= last; i++) {
            if (ready[i] || i == last) {
                ready[i] = false;
                probes.get(i).onReadable(output);
            }
        }
    }

    /**
     * Reads the probes that name others' events once more when a connect without a name entered
     * the queue since the last time: its DNS answer reached the kernel before it, but may have come
     * after the wait that woke the loop — and a connect can enter the queue in any kind of wake,
     * released with its process's name or exec ({@link Attribution}). One {@code recv} per such
     * wake, none in the others.
     */
    private void nameConnects() throws IOException {
        if (queue.takeUnnamedConnects()) {
            for (Probe p : namers) {
                p.onReadable(output);
            }
        }
    }

    /**
     * Whether any probe says so: {@link Probe#stoppedAtBound} (its last read stopped at its bound
     * with records left that nothing will signal), {@link Probe#processesBehind} (it stopped short of
     * reading everything about processes, a bounded storm).
     */
    private boolean anyProbe(Predicate<Probe> says) {
        for (Probe p : probes) {
            if (says.test(p)) {
                return true;
            }
        }
        return false;
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
        awaitHashes(deadline);
        output.releaseExecs();
        nameConnects();
        sender.reportDropsAtEnd();
        while (link.isConnected() && sender.hasWork() && System.nanoTime() - deadline < 0) {
            sender.pump(System.nanoTime(), link);
            if (sender.hasWork()) {
                try {
                    Thread.sleep(2); // the socket is full: the host is reading
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        sender.dropRest();
    }

    /**
     * Gives the execs still held for their hashes until their own wait ends, within
     * {@code deadline}: the hasher is reading their files.
     */
    private void awaitHashes(long deadline) throws ErrnoException {
        if (hasher == null || output.execsHeld() == 0) {
            return;
        }
        try (Epoll answers = new Epoll(1)) { // the loop's epoll would wake for probes no longer read
            answers.add(hasher.fd(), Epoll.EPOLLIN, TOKEN_HASHES);
            long until = Math.min(deadline, output.nextDeadline());
            while (output.execsHeld() > 0 && System.nanoTime() - until < 0) {
                long millis = Math.max(1, (until - System.nanoTime()) / 1_000_000);
                if (answers.await((int) Math.min(millis, 50)) > 0) {
                    hasher.drain(hashed);
                }
                until = Math.min(deadline, output.nextDeadline());
            }
        }
    }

    /**
     * What the agent did, for its last line: events delivered and dropped, and how each exec's
     * hash was answered ({@code "exec sha256: hashed 3, from cache 997 (by the exec's inode 990), ...; held 3, late 0, ..."}).
     */
    String summary() {
        return "delivered " + sender.delivered() + ", dropped " + sender.dropped() + "; exec sha256: "
                + (hasher == null ? "off" : hasher.counters() + "; " + output.execCounts());
    }

    /** Asks the loop to end; safe from any thread. {@link #run} returns soon after. */
    public void stop() {
        running = false;
        wakeup.wake();
    }

    /** Events the host received in whole frames on open connections. */
    long delivered() {
        return sender.delivered();
    }

    /** Has the timer fire by the next thing due: a heartbeat, a drop report, a reconnect, a held name. */
    private void armTimer(long now) {
        long due = link.isConnected() ? sender.nextDue() : !link.isOpen() ? link.reconnectAt() : Long.MAX_VALUE;
        timer.fireBy(Math.min(due, output.nextDeadline()), now);
    }

    @Override
    public void close() {
        for (Probe p : probes) {
            p.close();
        }
        window.close();
        link.close();
        sender.close();
        if (hasher != null) {
            hasher.close();
        }
        timer.close();
        wakeup.close();
        if (root != null) {
            root.close();
        }
        epoll.close();
    }
}
