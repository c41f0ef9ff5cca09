package io.cellos.telemetry.bench;

import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.EventFacts;
import io.cellos.telemetry.host.sink.EventSink;
import io.cellos.telemetry.wire.ProbeSource;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * A receiver sink that keeps no events, only when each one arrived: per event type, how many
 * came and, for those whose data carries the agent's {@code guest_monotonic_ns}, the delay from
 * that stamp to the moment the receiver emitted the event; and the highest {@code dropped_total}
 * any {@code telemetry.dropped} reported.
 *
 * <p>The delay is {@link System#nanoTime()} taken first thing in {@link #emit}, minus
 * {@code guest_monotonic_ns}: both are {@code CLOCK_MONOTONIC} of this machine (HotSpot on Linux
 * reads that clock for {@code nanoTime}), so the difference is the path from the guest's stamp
 * to the CloudEvent, with no clock offset in it. Both values are read from the event's typed facts,
 * never parsed back from its JSON.
 *
 * <p>Thread-safe (the receiver may call from several I/O threads); {@link #emit} holds a lock for
 * a moment per event.
 */
final class ArrivalLog implements EventSink {
    /** The type of the agent's heartbeat, which says nothing about the workload. */
    static final String HEARTBEAT = ProbeSource.AGENT_HEARTBEAT.wireName();

    private final Map<String, long[]> delays = new TreeMap<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private long droppedTotal;
    /** When the last event other than a heartbeat arrived. */
    private long lastArrivalNanos = System.nanoTime();

    @Override
    public void emit(CellEvent event) {
        long now = System.nanoTime();
        String type = event.facts().typeSuffix();
        long stamp = -1;
        long dropped = -1;
        if (event.facts() instanceof EventFacts.Guest g) {
            stamp = g.probe().guestMonotonicNs();
            Long total = g.probe().extensions().droppedTotal();
            dropped = total != null ? total : -1;
        }
        synchronized (this) {
            if (!type.equals(HEARTBEAT)) {
                lastArrivalNanos = now;
            }
            int n = counts.merge(type, 1, Integer::sum);
            droppedTotal = Math.max(droppedTotal, dropped);
            if (stamp >= 0) {
                long[] d = delays.computeIfAbsent(type, t -> new long[1024]);
                if (n > d.length) {
                    d = Arrays.copyOf(d, d.length * 2);
                    delays.put(type, d);
                }
                d[n - 1] = now - stamp;
            }
        }
    }

    /** Events of {@code type} (without the {@code cell.observability.guest.} prefix) so far. */
    synchronized int count(String type) {
        return counts.getOrDefault(type, 0);
    }

    /** Events so far, per type. */
    synchronized Map<String, Integer> counts() {
        return new TreeMap<>(counts);
    }

    /** The highest {@code dropped_total} reported so far, by the agent or the receiver. */
    synchronized long droppedTotal() {
        return droppedTotal;
    }

    /**
     * The delays (ns) of the events of {@code type} that arrived from index {@code from} on, in
     * arrival order; empty for a type without {@code guest_monotonic_ns}.
     */
    synchronized long[] delaysSince(String type, int from) {
        long[] d = delays.get(type);
        int n = counts.getOrDefault(type, 0);
        return d == null || from >= n ? new long[0] : Arrays.copyOfRange(d, from, n);
    }

    /**
     * Waits until at least {@code n} events of {@code types} in all have arrived, or until
     * nothing but heartbeats has arrived for {@code quietMillis}.
     *
     * @return the count of {@code types} reached
     */
    int await(int n, long quietMillis, String... types) throws InterruptedException {
        return await(n, quietMillis, () -> false, types);
    }

    /**
     * As {@link #await(int, long, String...)}, and gives up as soon as {@code giveUp} says so.
     *
     * @return the count of {@code types} reached
     */
    int await(int n, long quietMillis, BooleanSupplier giveUp, String... types) throws InterruptedException {
        while (true) {
            int got;
            long sinceLast;
            synchronized (this) {
                got = 0;
                for (String t : types) {
                    got += counts.getOrDefault(t, 0);
                }
                sinceLast = (System.nanoTime() - lastArrivalNanos) / 1_000_000;
            }
            if (got >= n || sinceLast >= quietMillis || giveUp.getAsBoolean()) {
                return got;
            }
            Thread.sleep(20);
        }
    }

    @Override
    public long lost() {
        return 0;
    }
}
