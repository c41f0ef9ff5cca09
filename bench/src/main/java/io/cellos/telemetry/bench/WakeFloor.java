package io.cellos.telemetry.bench;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.EventFd;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.SockAddr;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under the agent's CPU per event while it is latency-first: a loop that does only what
 * the agent must do for each event that wakes it — block in {@code epoll_wait}, read what woke it,
 * send a frame to the host — through the agent's own system-call path (the guest's {@link Epoll},
 * {@link EventFd} and {@link Libc#sendNonBlocking}), and nothing else. A pacer thread signals an
 * eventfd {@code --per-second} times a second (absolute schedule) as a workload's records would; a
 * receiver thread reads the UNIX stream socket the loop sends on. The figure is the loop thread's
 * run time ({@code schedstat}) from the first event to the last, per event. The same loop in C is
 * {@code bench/wake-floor/wakefloor.c} (BENCHMARKS.md, "The floor under the CPU goal").
 *
 * <p>Usage: {@link #USAGE}. Needs no root and touches no probe.
 */
public final class WakeFloor {
    static final String USAGE = """
            usage: WakeFloor [--per-second 600] [--seconds 10]
              Measures one blocking wake and one 96-byte send per event, paced at --per-second for
              --seconds, through the agent's own system-call path: the loop thread's CPU per event
              (= ms per 1,000 events). The floor a latency-first agent cannot go under on this machine.""";
    private static final Map<String, String> FLAGS = Map.of("per-second", "600", "seconds", "10");
    /** Bytes a wake sends: about one process event's frame. */
    static final int FRAME = 96;

    /**
     * What one run measured.
     *
     * @param events        events the pacer made (and the loop saw)
     * @param wakes         times the loop woke with something to read
     * @param loopNanos     the loop thread's run time from its first wake to its last
     * @param bytesReceived what the receiver read: {@link #FRAME} a wake when nothing was lost
     */
    record Result(long events, long wakes, long loopNanos, long bytesReceived) {
        /** The loop's CPU per 1,000 events, in ms (= µs per event). */
        double msPer1000Events() {
            return loopNanos / 1e3 / events;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d events, %d wakes, loop thread %.1f ms = %.2f µs an event"
                    + " (%.2f µs a wake); receiver got %d bytes", events, wakes, loopNanos / 1e6, msPer1000Events(),
                    loopNanos / 1e3 / wakes, bytesReceived);
        }
    }

    private WakeFloor() {
    }

    public static void main(String[] args) throws Exception {
        HarnessFlags.checkForMain("WakeFloor", USAGE, args, FLAGS);
        HarnessFlags f = HarnessFlags.parse(args, FLAGS);
        int perSecond = f.integer("per-second");
        measure(perSecond, Math.multiplyExact(perSecond, f.integer("seconds")), System.out);
    }

    /**
     * Runs the loop over {@code events} events paced at {@code perSecond}.
     *
     * @throws IllegalArgumentException if either is not positive
     * @throws IOException if the loop's sockets or eventfd cannot be made, or a send falls short
     */
    static Result measure(int perSecond, int events, PrintStream log) throws IOException, InterruptedException {
        if (perSecond <= 0 || events <= 0) {
            throw new IllegalArgumentException("--per-second and the number of events must be positive, not "
                    + perSecond + " and " + events);
        }
        Path dir = Files.createTempDirectory("wakefloor");
        Path socket = dir.resolve("s");
        AtomicLong received = new AtomicLong();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             Arena arena = Arena.ofConfined();
             EventFd records = new EventFd("the paced workload's records");
             Epoll epoll = new Epoll(1)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread receiver = Thread.ofPlatform().name("wakefloor-receiver").daemon().start(() -> receive(server, received));
            try (Fd channel = connect(arena, socket)) {
                epoll.add(records.fd(), Epoll.EPOLLIN, 0);
                MemorySegment frame = arena.allocate(FRAME);
                frame.fill((byte) 0xa5);
                Thread pacer = Thread.ofPlatform().name("wakefloor-pacer").daemon().start(() -> pace(records, perSecond, events));
                long seen = 0;
                long wakes = 0;
                long first = 0;
                while (seen < events) {
                    if (epoll.await(-1) == 0) {
                        continue;
                    }
                    long n = records.drain();
                    if (n == 0) {
                        continue;
                    }
                    if (wakes++ == 0) {
                        first = ProcSample.threadRunNanos();
                    }
                    seen += n;
                    long sent = Libc.sendNonBlocking(channel.get(), frame, FRAME);
                    if (sent != FRAME) {
                        throw new IOException("the loop's send returned " + sent + " of " + FRAME + " bytes");
                    }
                }
                long loop = ProcSample.threadRunNanos() - first;
                pacer.join();
                channel.close();
                receiver.join();
                Result r = new Result(seen, wakes, loop, received.get());
                log.println("WakeFloor " + perSecond + "/s: " + r);
                return r;
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /** The loop's end of the channel: a blocking UNIX stream socket made as the agent makes its own. */
    private static Fd connect(Arena arena, Path socket) throws ErrnoException {
        Fd fd = new Fd((int) Libc.SOCKET.call("AF_UNIX", SockAddr.AF_UNIX, SockAddr.SOCK_STREAM | SockAddr.SOCK_CLOEXEC, 0),
                "the loop's channel");
        MemorySegment address = SockAddr.unix(arena, socket.toString());
        try {
            Libc.CONNECT.call("connect(" + socket + ")", fd.get(), address, (int) address.byteSize());
        } catch (ErrnoException e) {
            fd.close();
            throw e;
        }
        return fd;
    }

    /** Signals {@code records} {@code events} times, {@code perSecond} a second from now. */
    private static void pace(EventFd records, int perSecond, int events) {
        long start = System.nanoTime();
        for (long i = 1; i <= events; i++) {
            long due = start + i * 1_000_000_000L / perSecond;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            records.signal();
        }
    }

    /** Reads the channel until the loop closes it; counts the bytes. */
    private static void receive(ServerSocketChannel server, AtomicLong received) {
        try (SocketChannel peer = server.accept()) {
            ByteBuffer buf = ByteBuffer.allocate(65536);
            for (int n; (n = peer.read(buf.clear())) >= 0; ) {
                received.addAndGet(n);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the floor's receiver failed", e);
        }
    }
}
