package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.wire.ProbeSource;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of a whole {@link Receiver}'s counters ({@link Receiver#counts}), what its metrics are
 * made of. Every count but {@code cellsBound} and {@code sinkBacklog} is cumulative since the
 * receiver started, closed cells included, and so never goes down.
 *
 * @param cellsBound           cells bound now
 * @param telemetryConnections connections taken off the cells' telemetry sockets ({@code <uds>_9001}),
 *                             refused ones included
 * @param exitConnections      connections taken off the cells' exit-code sockets ({@code <uds>_9000}),
 *                             refused ones included
 * @param dropped              guest input the host discarded, by cause, every cause present (zero
 *                             when it never happened): refused frames under the codes of
 *                             protocol.md §3.2, {@code closed_mid_frame}, and refused connections
 *                             ({@code connection_limit}, {@code channel_refused})
 * @param exitChannelRefused   the part of {@code channel_refused} that was on the exit-code sockets
 * @param framesAccepted       guest frames turned into events, by probe source, every source present
 * @param cellsSilenced        cells that got {@code agent_silenced}
 * @param events               events handed to the sink: one per accepted frame, plus the host's own
 *                             ({@code telemetry.dropped}, {@code agent_silenced}, {@code channel_refused})
 * @param sinkBacklog          events the sink holds now, not yet delivered ({@link
 *                             io.cellos.telemetry.host.sink.EventSink#backlog})
 * @param sinkLost             events the sink could not deliver
 * @param cells                the cells bound now, each with its own counters
 */
public record ReceiverCounts(int cellsBound, long telemetryConnections, long exitConnections,
                             Map<DropCause, Long> dropped, long exitChannelRefused,
                             Map<ProbeSource, Long> framesAccepted, long cellsSilenced, long events, long sinkBacklog,
                             long sinkLost, List<BoundCell> cells) {
    /** A bound cell: its stamp and its counters. */
    public record BoundCell(CellStamp stamp, CellStats stats) {
    }
}
