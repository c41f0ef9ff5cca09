package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.Clock;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sink.EventSink;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host receiver: one per host process, serving any number of cells.
 *
 * <p>A supervisor calls {@link #bind} for each cell before its guest boots, and closes the
 * returned handle when the cell is gone. Every byte from a guest is hostile: frames are checked by
 * {@link io.cellos.telemetry.wire.FrameDecoder}, refusals are counted per cause and reported as
 * host-made {@code telemetry.dropped} events, and memory per connection is fixed. A connection
 * speaks for the cell's agent only if its first frame carries the session the cell pinned
 * ({@link SessionPin}, protocol.md §1.3); any other is refused and declared.
 *
 * <p>Threading: {@link ReceiverOptions#loops()} I/O threads; cells are spread over them round-robin.
 * The methods of this class are thread-safe. The sink is the caller's: {@link #close} flushes it
 * but does not close it.
 */
public final class Receiver implements AutoCloseable {
    private final ReceiverOptions options;
    private final EventSink sink;
    private final Clock clock;
    private final EventLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();
    private final Set<CellHandle> cells = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private Receiver(ReceiverOptions options, EventSink sink, PrintStream warnings, Clock clock) {
        this.options = options;
        this.sink = sink;
        this.clock = clock;
        this.loops = new EventLoop[options.loops()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new EventLoop("cellos-receiver-" + i, sink, warnings, clock);
        }
    }

    /**
     * Starts the I/O threads. In compatibility mode ({@link ReceiverOptions#acceptSessionlessAgents})
     * says first, in one line on {@code warnings}, what that mode gives away.
     *
     * @param warnings where problems that lose nothing but deserve a person's eye are told
     */
    public static Receiver start(ReceiverOptions options, EventSink sink, PrintStream warnings) {
        return start(options, sink, warnings, Clock.system());
    }

    /**
     * {@link #start(ReceiverOptions, EventSink, PrintStream)} with the clock the receiver's timers
     * and event times read (a test's, to move time on without sleeping).
     */
    public static Receiver start(ReceiverOptions options, EventSink sink, PrintStream warnings, Clock clock) {
        if (options.acceptSessionlessAgents()) {
            warnings.println("cellos: compatibility mode: a cell whose agent sends no session (CellOS 0.5) is served "
                    + "without session checks, so any process in that guest can send frames that pass as the agent's; "
                    + "such cells' events say session_check \"" + SessionCheck.NONE_COMPATIBILITY_MODE.text() + "\"");
        }
        Receiver r = new Receiver(options, sink, warnings, clock);
        for (EventLoop l : r.loops) {
            l.start();
        }
        return r;
    }

    /** The listener path Firecracker uses for guest port {@code port}: {@code <udsBase>_<port>}. */
    public static Path listenerPath(Path udsBase, int port) {
        return udsBase.resolveSibling(udsBase.getFileName() + "_" + port);
    }

    /**
     * Binds the cell's telemetry listener at {@code <udsBase>_9001} and starts serving it. The
     * keep-alive window starts now.
     *
     * <p>A socket file left at that path by a listener that is gone is replaced; a live one, or any
     * other kind of file, is an error ({@link ListenerPath}: the check connects to nothing).
     *
     * @throws IOException with a message that says what is wrong with the path
     */
    public CellHandle bind(Path udsBase, CellStamp stamp) throws IOException {
        if (closed) {
            throw new IllegalStateException("the receiver is closed");
        }
        Path path = listenerPath(udsBase, Wire.VSOCK_TELEMETRY_PORT).toAbsolutePath();
        ServerSocketChannel server = openListener(path);
        long boundNanos = clock.nanoTime();
        EventLoop loop = loops[Math.floorMod(next.getAndIncrement(), loops.length)];
        Cell cell = new Cell(loop, stamp, path, server, options, boundNanos);
        try {
            loop.call(() -> {
                loop.add(cell);
                return null;
            });
        } catch (RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
        CellHandle handle = new CellHandle(this, loop, cell, udsBase, path);
        cells.add(handle);
        return handle;
    }

    private static ServerSocketChannel openListener(Path path) throws IOException {
        try {
            ListenerPath.claim(path);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 64);
            server.configureBlocking(false);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
        return server;
    }

    void forget(CellHandle handle) {
        cells.remove(handle);
    }

    /**
     * The receiver's counters now, summed over its I/O threads (each asked on its own thread, so a
     * cell's counts are consistent with themselves), with the sink's backlog and losses. Counts of
     * closed cells are kept. After {@link #close}, the counts as they were at the end.
     *
     * @param patience how long to wait for each I/O thread
     * @throws TimeoutException if an I/O thread did not answer in time (it is stuck: a sink that
     *                          blocks, say)
     */
    public ReceiverCounts counts(Duration patience) throws TimeoutException, InterruptedException {
        Tally total = new Tally();
        List<ReceiverCounts.BoundCell> bound = new ArrayList<>();
        for (EventLoop l : loops) {
            List<ReceiverCounts.BoundCell> part = new ArrayList<>();
            total.add(l.call(() -> l.tally(part), patience));
            bound.addAll(part);
        }
        return total.counts(bound, sink.backlog(), sink.lost());
    }

    /** The sink's count of events it could not deliver. */
    public long lostBySink() {
        return sink.lost();
    }

    /** Closes every cell still bound (see {@link CellHandle#close}), stops the I/O threads, flushes the sink. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (CellHandle h : new ArrayList<>(cells)) {
            h.close();
        }
        for (EventLoop l : loops) {
            l.shutdown();
        }
        sink.flush();
    }
}
