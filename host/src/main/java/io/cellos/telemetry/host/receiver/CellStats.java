package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.event.DropCause;

import java.util.Map;

/**
 * A snapshot of one cell's counters.
 *
 * @param connections      connections accepted so far (including refused ones)
 * @param openConnections  connections open now
 * @param framesEmitted    guest frames turned into CloudEvents
 * @param dropped          what the host discarded, by cause (only causes with a count)
 * @param agentDroppedTotal the highest {@code dropped_total} the agent reported, or -1
 * @param silenced         whether {@code agent_silenced} was emitted
 * @param tampered         {@code agent.tampered} frames turned into events
 */
public record CellStats(long connections, int openConnections, long framesEmitted, Map<DropCause, Long> dropped, long agentDroppedTotal,
                        boolean silenced, long tampered) {
    /** Everything the host discarded, all causes together. */
    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }
}
