package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.wire.ProbeSource;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Receiver-wide counts being summed: over the cells of a loop, bound now and gone, then over the
 * loops. Every count only grows, because a cell's counts are kept here when it is closed.
 *
 * <p>Not thread-safe: a loop's own tally is written on its thread only; a sum is made on that thread
 * and handed over whole.
 */
final class Tally {
    long telemetryConnections;
    long exitConnections;
    long exitRefusals;
    long silenced;
    long events;
    final long[] drops = new long[DropCause.values().length];
    final long[] framesBySource = new long[ProbeSource.values().length];

    void add(Tally t) {
        telemetryConnections += t.telemetryConnections;
        exitConnections += t.exitConnections;
        exitRefusals += t.exitRefusals;
        silenced += t.silenced;
        events += t.events;
        for (int i = 0; i < drops.length; i++) {
            drops[i] += t.drops[i];
        }
        for (int i = 0; i < framesBySource.length; i++) {
            framesBySource[i] += t.framesBySource[i];
        }
    }

    ReceiverCounts counts(List<ReceiverCounts.BoundCell> bound, long sinkBacklog, long sinkLost) {
        Map<DropCause, Long> byCause = new EnumMap<>(DropCause.class);
        for (DropCause c : DropCause.values()) {
            byCause.put(c, drops[c.ordinal()]);
        }
        Map<ProbeSource, Long> bySource = new EnumMap<>(ProbeSource.class);
        for (ProbeSource s : ProbeSource.values()) {
            bySource.put(s, framesBySource[s.ordinal()]);
        }
        return new ReceiverCounts(bound.size(), telemetryConnections, exitConnections,
                Collections.unmodifiableMap(byCause), exitRefusals, Collections.unmodifiableMap(bySource), silenced,
                events, sinkBacklog, sinkLost, List.copyOf(bound));
    }
}
