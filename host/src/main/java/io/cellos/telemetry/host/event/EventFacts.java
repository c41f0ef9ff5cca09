package io.cellos.telemetry.host.event;

import io.cellos.telemetry.wire.ProbeEvent;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an event says, typed: the one home of the values its CloudEvent's {@code data} is written
 * from ({@link EventProjector}), so that whoever needs them (a sink that routes by type, the cell
 * summary) reads them here instead of parsing the JSON back. The stamp is not here: it is the
 * cell's, carried beside ({@link CellEvent#stamp()}).
 *
 * <p>One record per kind of event; the set is closed, so a {@code switch} over it is exhaustive.
 * Records are immutable: their maps are unmodifiable copies.
 */
public sealed interface EventFacts {
    /** The type without {@link EventProjector#TYPE_PREFIX}: {@code process.spawned}, {@code agent_silenced}, … */
    String typeSuffix();

    /** The event's CloudEvents {@code type}: {@link EventProjector#TYPE_PREFIX}, then {@link #typeSuffix()}. */
    default String type() {
        return EventProjector.TYPE_PREFIX + typeSuffix(); // host-made events are rare; guest ones override
    }

    /** The sum of a map's counts. */
    private static long total(Map<?, Long> byCause) {
        return byCause.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * An accepted guest frame: frame {@code frame} of telemetry connection {@code connection}.
     *
     * @param probe the decoded frame, every guest field of the event; its {@code session} is the
     *              agent's proof of its channel and is never written out, nor to be shown
     */
    record Guest(ProbeEvent probe, long connection, long frame) implements EventFacts {
        @Override
        public String type() {
            return EventProjector.guestType(probe.source()); // made once per source: the steady-state path
        }

        @Override
        public String typeSuffix() {
            return probe.source().wireName();
        }
    }

    /**
     * Nothing arrived from the cell for a whole keep-alive window (host-made, once per bind).
     *
     * @param lastFrameAt when the last frame arrived, or {@code null} if none ever did
     */
    record AgentSilenced(long keepaliveMillis, Instant lastFrameAt, long framesReceived) implements EventFacts {
        @Override
        public String typeSuffix() {
            return EventProjector.SILENCED;
        }
    }

    /**
     * The receiver's drop report: cumulative counts of what it discarded from the cell, by cause.
     *
     * @param byCause           the causes with a count (written in {@link DropCause} order); copied
     * @param agentDroppedTotal the highest {@code dropped_total} the agent reported, or -1
     * @param lastRejection     why the latest frame was refused, or {@code null}
     */
    record HostDropped(Map<DropCause, Long> byCause, long agentDroppedTotal, String lastRejection)
            implements EventFacts {
        public HostDropped {
            byCause = Map.copyOf(byCause);
        }

        /** Everything discarded, all causes together. */
        public long total() {
            return EventFacts.total(byCause);
        }

        /** The counts by cause code, in {@link DropCause} order: as {@code host_dropped} writes them. */
        public Map<String, Long> byCode() {
            Map<String, Long> byCode = new LinkedHashMap<>();
            for (DropCause c : DropCause.values()) {
                Long n = byCause.get(c);
                if (n != null) {
                    byCode.put(c.code(), n);
                }
            }
            return byCode;
        }

        @Override
        public String typeSuffix() {
            return EventProjector.DROPPED;
        }
    }

    /**
     * The receiver closed the cell's record (protocol.md §7.11): nothing more of this cell and run
     * follows, and with signing on it is the last link of the cell's hash chain, so that a chain
     * without it may have lost its end.
     *
     * @param framesReceived    frames accepted from the cell since the bind: its guest events
     * @param connections       telemetry connections accepted since the bind
     * @param hostDroppedTotal  everything the receiver discarded of the cell, all causes
     * @param agentDroppedTotal the highest {@code dropped_total} the agent reported, or -1
     */
    record RecordClosed(long framesReceived, long connections, long hostDroppedTotal, long agentDroppedTotal)
            implements EventFacts {
        @Override
        public String typeSuffix() {
            return EventProjector.CLOSED;
        }
    }

    /**
     * A connection the host refused to believe (protocol.md §1.3): closed at once, nothing on it
     * became an event.
     *
     * @param port       the guest port: 9001 (telemetry) or 9000 (exit code)
     * @param connection the connection's number on that port's socket
     * @param reason     why, in words
     */
    record ChannelRefused(int port, long connection, String reason) implements EventFacts {
        @Override
        public String typeSuffix() {
            return EventProjector.CHANNEL_REFUSED;
        }
    }

    /**
     * An event sink's drop report: events of the cell it could not deliver downstream, cumulative.
     *
     * @param sink    the sink's kind, e.g. {@code "nats"}
     * @param byCause cause code to count (written in the codes' order); copied
     * @param reason  what went wrong, in words
     */
    record SinkDropped(String sink, Map<String, Long> byCause, String reason) implements EventFacts {
        public SinkDropped {
            byCause = Collections.unmodifiableMap(new TreeMap<>(byCause));
        }

        /** Everything the sink could not deliver, all causes together. */
        public long total() {
            return EventFacts.total(byCause);
        }

        @Override
        public String typeSuffix() {
            return EventProjector.DROPPED;
        }
    }
}
