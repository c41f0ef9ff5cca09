package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.Clock;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The host's state for one bound cell: its listener, its connections, the session that admits
 * them, its counters and its keep-alive. Times come from its loop's {@link Clock}.
 *
 * <p>Confined to the I/O thread of its {@link EventLoop}: every method but the constructor runs
 * there. Owns the listening channel and every connection.
 */
final class Cell {
    private final EventLoop loop;
    private final CellStamp stamp;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final EventProjector projector;
    private final ReceiverOptions options;
    private final SessionPin sessions;
    private final Set<Connection> open = new HashSet<>();
    private final long[] drops = new long[DropCause.values().length];
    private final long[] framesBySource = new long[ProbeSource.values().length];

    private long connections;
    private long framesEmitted;
    private long lastFrameNanos;
    private Instant lastFrameAt;
    private boolean silenced;
    private long agentDroppedTotal = -1;
    private boolean dropsUnreported;
    private long lastDropReportNanos;
    private long dropReports;
    private long refusals;
    private long exitConnections;
    private long exitRefusals;
    private String lastRejection;
    private boolean closed;

    Cell(EventLoop loop, CellStamp stamp, Path socketPath, ServerSocketChannel server, ReceiverOptions options,
         long boundNanos) {
        this.loop = loop;
        this.stamp = stamp;
        this.socketPath = socketPath;
        this.server = server;
        this.projector = new EventProjector(stamp, socketPath.toString(), options.format());
        this.options = options;
        this.sessions = new SessionPin(options.acceptSessionlessAgents());
        this.lastFrameNanos = boundNanos;
        this.lastDropReportNanos = boundNanos - options.dropReportInterval().toNanos();
    }

    CellStamp stamp() {
        return stamp;
    }

    ServerSocketChannel server() {
        return server;
    }

    void onAcceptable() {
        SocketChannel ch;
        try {
            ch = server.accept();
        } catch (IOException e) {
            warn("accept on " + socketPath + ": " + e.getMessage());
            return;
        }
        if (ch == null) {
            return;
        }
        long number = ++connections;
        if (open.size() >= options.maxConnectionsPerCell()) {
            dropped(DropCause.CONNECTION_LIMIT, "connection " + number + " refused: " + open.size()
                    + " connections are open, the limit is " + options.maxConnectionsPerCell());
            closeQuietly(ch);
            return;
        }
        try {
            ch.configureBlocking(false);
            Connection c = new Connection(this, ch, number);
            ch.register(loop.selector(), SelectionKey.OP_READ, c);
            open.add(c);
        } catch (IOException e) {
            warn("registering connection " + number + " of " + socketPath + ": " + e.getMessage());
            closeQuietly(ch);
        }
    }

    private void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            warn("closing a refused connection: " + e.getMessage());
        }
    }

    void accepted(ProbeEvent event, long connection, long frame) {
        lastFrameNanos = loop.clock().nanoTime();
        Instant now = loop.clock().now();
        lastFrameAt = now;
        framesEmitted++;
        framesBySource[event.source().ordinal()]++;
        if (event.source() == ProbeSource.TELEMETRY_DROPPED && event.extensions().droppedTotal() != null) {
            long reported = event.extensions().droppedTotal();
            if (agentDroppedTotal < 0 || Long.compareUnsigned(reported, agentDroppedTotal) > 0) {
                agentDroppedTotal = reported;
            }
        }
        // a connection is accepted only once the check has left NOT_PINNED_YET, never to return
        loop.emit(projector.guest(event, connection, frame, now, sessions.check()));
    }

    /**
     * Whether telemetry connection {@code connection}, whose first frame is {@code first}, speaks for
     * the agent ({@link SessionPin}); if not, it is refused and declared, and its caller closes it.
     */
    boolean admit(ProbeEvent first, long connection) {
        String refusal = sessions.refusal(first.extensions().session(), connection);
        if (refusal != null) {
            channelRefused(Wire.VSOCK_TELEMETRY_PORT, connection, refusal);
        }
        return refusal == null;
    }

    /**
     * Counts and declares a connection the host refused to believe, on either of the cell's
     * channels: the one place {@code channel_refused} events are made. After {@link #close} it is
     * only told on the warnings stream.
     *
     * @param port the guest port: {@link Wire#VSOCK_TELEMETRY_PORT} or {@link Wire#VSOCK_EXIT_PORT}
     */
    void channelRefused(int port, long connection, String reason) {
        if (closed) {
            warn("port " + port + " connection " + connection + " refused after the cell was closed: " + reason);
            return;
        }
        if (port == Wire.VSOCK_EXIT_PORT) {
            exitRefusals++;
        }
        dropped(DropCause.CHANNEL_REFUSED, "port " + port + " connection " + connection + " refused: " + reason);
        loop.emit(projector.channelRefused(++refusals, loop.clock().now(), port, connection, reason, sessions.check()));
    }

    /** Counts a connection taken off the cell's exit-code socket ({@link ExitChannel}), before it is judged. */
    void exitConnectionAccepted() {
        exitConnections++;
    }

    void rejected(FrameException e, long connection, long frame) {
        // A refused frame still proves the guest side is alive; it does not reset the keep-alive
        // window, because an agent that only sends garbage is not a working agent.
        dropped(DropCause.of(e.error()), "connection " + connection + " frame " + frame + ": " + e.getMessage());
    }

    void dropped(DropCause cause, String why) {
        drops[cause.ordinal()]++;
        lastRejection = why;
        dropsUnreported = true;
        loop.wakeAt(lastDropReportNanos + options.dropReportInterval().toNanos());
    }

    void closed(Connection c) {
        open.remove(c);
    }

    void warn(String message) {
        loop.warn("cell " + stamp.cellId() + ": " + message);
    }

    /**
     * Fires what is due at {@code now}: a coalesced drop report, {@code agent_silenced}.
     *
     * @return the next time this cell needs the loop, in {@link Clock#nanoTime()} terms, or
     *         {@link Long#MAX_VALUE}
     */
    long onTimer(long now) {
        long next = Long.MAX_VALUE;
        if (dropsUnreported) {
            long due = lastDropReportNanos + options.dropReportInterval().toNanos();
            if (now - due >= 0) {
                reportDrops(now);
            } else {
                next = due;
            }
        }
        if (!silenced) {
            long due = lastFrameNanos + options.keepalive().toNanos();
            if (now - due >= 0) {
                silenced = true;
                loop.emit(projector.silenced(loop.clock().now(), options.keepalive().toMillis(), lastFrameAt, framesEmitted,
                        sessions.check()));
            } else {
                next = Math.min(next, due);
            }
        }
        return next;
    }

    private void reportDrops(long now) {
        dropsUnreported = false;
        lastDropReportNanos = now;
        loop.emit(projector.hostDropped(++dropReports, loop.clock().now(), drops, agentDroppedTotal, lastRejection,
                sessions.check()));
    }

    CellStats stats() {
        return new CellStats(connections, open.size(), framesEmitted, DropCause.counts(drops), agentDroppedTotal,
                silenced, framesBySource[ProbeSource.AGENT_TAMPERED.ordinal()]);
    }

    /** Adds this cell's counts to {@code t}, which sums cells for the receiver's {@link ReceiverCounts}. */
    void addTo(Tally t) {
        t.telemetryConnections += connections;
        t.exitConnections += exitConnections;
        t.exitRefusals += exitRefusals;
        t.silenced += silenced ? 1 : 0;
        for (int i = 0; i < drops.length; i++) {
            t.drops[i] += drops[i];
        }
        for (int i = 0; i < framesBySource.length; i++) {
            t.framesBySource[i] += framesBySource[i];
        }
    }

    /**
     * Stops listening, handles what the open connections already sent, closes them, reports any
     * unreported drops, closes the cell's record ({@code record_closed}) and removes the socket file.
     */
    void close() {
        if (closed) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            warn("closing the listener: " + e.getMessage());
        }
        for (Connection c : Set.copyOf(open)) {
            if (c.onReadable()) {
                c.close();
            }
        }
        if (dropsUnreported) {
            reportDrops(loop.clock().nanoTime());
        }
        long hostDropped = 0;
        for (long d : drops) {
            hostDropped += d;
        }
        loop.emit(projector.closed(loop.clock().now(), framesEmitted, connections, hostDropped, agentDroppedTotal,
                sessions.check())); // the cell's last event: its chain ends here
        closed = true; // not before: what the last reads refuse is still declared and reported
        try {
            java.nio.file.Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            warn("removing " + socketPath + ": " + e.getMessage());
        }
    }
}
