package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.event.EventFormat;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Receiver} behaves.
 *
 * @param keepalive              the window after which a silent cell gets {@code agent_silenced}
 *                               (once per run), counted from bind or the last frame
 * @param loops                  I/O threads; each cell is served by one of them
 * @param maxConnectionsPerCell  concurrent connections a cell may hold; more are refused and counted
 * @param dropReportInterval     the shortest time between two host-made {@code telemetry.dropped}
 *                               events of one cell (counts are coalesced in between)
 * @param acceptSessionlessAgents compatibility mode for CellOS 0.5 agents, which send no
 *                               {@code session}: a cell whose first accepted connection carries none
 *                               is served without session checks, so any process in that guest can
 *                               send frames that pass as the agent's (protocol.md §1.3). Off by
 *                               default; a cell whose agent does send a session is pinned either way.
 * @param format                 what the {@code data} of every event holds: the receiver's own JSON
 *                               (the default) or an OCSF object (protocol.md §7.10)
 */
public record ReceiverOptions(Duration keepalive, int loops, int maxConnectionsPerCell, Duration dropReportInterval,
                              boolean acceptSessionlessAgents, EventFormat format) {
    /** The protocol's default keep-alive window. */
    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(10);

    public ReceiverOptions {
        if (keepalive.isNegative() || keepalive.isZero()) {
            throw new IllegalArgumentException("keep-alive must be positive, got " + keepalive);
        }
        if (loops < 1 || loops > 64) {
            throw new IllegalArgumentException("loops must be 1..64, got " + loops);
        }
        if (maxConnectionsPerCell < 1) {
            throw new IllegalArgumentException("maxConnectionsPerCell must be at least 1");
        }
        if (dropReportInterval.isNegative()) {
            throw new IllegalArgumentException("dropReportInterval must not be negative");
        }
        Objects.requireNonNull(format, "format");
    }

    /**
     * Defaults: 10 s keep-alive, one loop per core up to 2, 16 connections per cell, drops reported
     * at most once a second, sessions required, the receiver's own {@code data}.
     */
    public static ReceiverOptions defaults() {
        return new ReceiverOptions(DEFAULT_KEEPALIVE, Math.min(2, Runtime.getRuntime().availableProcessors()), 16,
                Duration.ofSeconds(1), false, EventFormat.CLOUDEVENTS);
    }

    public ReceiverOptions withKeepalive(Duration d) {
        return new ReceiverOptions(d, loops, maxConnectionsPerCell, dropReportInterval, acceptSessionlessAgents, format);
    }

    public ReceiverOptions withLoops(int n) {
        return new ReceiverOptions(keepalive, n, maxConnectionsPerCell, dropReportInterval, acceptSessionlessAgents, format);
    }

    public ReceiverOptions withDropReportInterval(Duration d) {
        return new ReceiverOptions(keepalive, loops, maxConnectionsPerCell, d, acceptSessionlessAgents, format);
    }

    public ReceiverOptions withAcceptSessionlessAgents(boolean accept) {
        return new ReceiverOptions(keepalive, loops, maxConnectionsPerCell, dropReportInterval, accept, format);
    }

    public ReceiverOptions withFormat(EventFormat f) {
        return new ReceiverOptions(keepalive, loops, maxConnectionsPerCell, dropReportInterval, acceptSessionlessAgents,
                f);
    }
}
