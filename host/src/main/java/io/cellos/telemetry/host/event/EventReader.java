package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.sign.EventChain;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads back an event the receiver wrote in its own format ({@link EventFormat#CLOUDEVENTS},
 * protocol.md §7.1–§7.8) into what it says, so that it can be written again in another format
 * ({@link ReadEvent#in}): {@code cellos events tail --format ocsf} turns a stream published in the
 * receiver's own format into OCSF this way, the same bytes {@code host listen --format ocsf} would
 * have written.
 *
 * <p>What it reads is someone else's bytes (a stream anyone with access could publish to): every
 * member is checked as the receiver would have written it — the stamp by {@link CellStamp}'s rules,
 * the guest's keys by their wire types and ranges, the {@code source} against the cell — and
 * anything else is refused with an {@link IllegalArgumentException} saying which member and why.
 * Unknown members are ignored, as §8 asks of consumers. Stateless.
 */
public final class EventReader {
    private static final String OCSF_SCHEMAS = "https://schema.ocsf.io/";

    private EventReader() {
    }

    /**
     * An event read back: what it says, the cell's stamp and socket, and its id, time and session
     * check as it was made with.
     *
     * @param socket the {@code output.socket} of a guest event, {@code null} for a host-made one
     * @param check  its {@code session_check}, or {@code null} for a sink's report, which has none
     */
    public record ReadEvent(EventFacts facts, CellStamp stamp, String socket, String id, Instant time,
                            SessionCheck check) {
        /** The same event, its {@code data} written in {@code format}, joining {@code chain} when signed. */
        public CellEvent in(EventFormat format, EventChain chain) {
            return new EventProjector(stamp, chain, socket, format).event(facts, id, time, check);
        }
    }

    /** The format the {@code data} of {@code event} is in: OCSF when its {@code dataschema} is one of OCSF's. */
    public static EventFormat formatOf(JsonNode event) {
        return event.path("dataschema").asText("").startsWith(OCSF_SCHEMAS) ? EventFormat.OCSF : EventFormat.CLOUDEVENTS;
    }

    /**
     * Reads {@code event}, a CloudEvent in JSON as the receiver writes it in its own format.
     *
     * @throws IllegalArgumentException if it is not one, naming the first member that is wrong
     */
    public static ReadEvent read(JsonNode event) {
        if (!event.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (formatOf(event) != EventFormat.CLOUDEVENTS) {
            throw new IllegalArgumentException("its data is already OCSF (dataschema " + event.get("dataschema") + ")");
        }
        String type = text(event, "type");
        if (!type.startsWith(EventProjector.TYPE_PREFIX)) {
            throw new IllegalArgumentException("type '" + type + "' is not a cell's");
        }
        String suffix = type.substring(EventProjector.TYPE_PREFIX.length());
        JsonNode d = event.path("data");
        if (!d.isObject()) {
            throw new IllegalArgumentException("data is not a JSON object");
        }
        CellStamp stamp = stamp(d);
        if (!EventProjector.sourceOf(stamp.cellId()).toString().equals(text(event, "source"))) {
            throw new IllegalArgumentException("source " + event.get("source") + " is not cell " + stamp.cellId() + "'s");
        }
        String id = text(event, "id");
        Instant time = instant(event, "time");
        boolean host = d.has("origin");
        if (host && !"host".equals(d.get("origin").asText())) {
            throw new IllegalArgumentException("data.origin " + d.get("origin") + " is not \"host\"");
        }
        SessionCheck check = null;
        if (d.has("session_check") || !d.has("sink")) {
            check = SessionCheck.ofText(text(d, "session_check"));
            if (check == null) {
                throw new IllegalArgumentException("data.session_check " + d.get("session_check") + " is not one the"
                        + " receiver writes");
            }
        }
        if (!host) {
            EventFacts.Guest g = guest(d, suffix);
            return new ReadEvent(g, stamp, text(d.path("output"), "socket"), id, time, check);
        }
        EventFacts facts = switch (suffix) {
            case EventProjector.SILENCED -> new EventFacts.AgentSilenced(count(d, "keepalive_ms"),
                    d.path("last_frame_at").isNull() ? null : instant(d, "last_frame_at"), count(d, "frames_received"));
            case EventProjector.CHANNEL_REFUSED -> new EventFacts.ChannelRefused(port(d), count(d, "connection"),
                    text(d, "reason"));
            case EventProjector.CLOSED -> new EventFacts.RecordClosed(count(d, "frames_received"),
                    count(d, "connections"), count(d, "host_dropped_total"), agentDroppedTotal(d));
            case EventProjector.DROPPED -> d.has("sink") ? new EventFacts.SinkDropped(text(d, "sink"),
                    counts(d), text(d, "reason")) : hostDropped(d);
            default -> throw new IllegalArgumentException("type '" + type + "' is no host-made event");
        };
        return new ReadEvent(facts, stamp, null, id, time, check);
    }

    private static EventFacts.Guest guest(JsonNode d, String suffix) {
        String name = text(d, Field.PROBE_SOURCE.wireName());
        ProbeSource source = ProbeSource.fromWireName(name);
        if (source == null || !name.equals(suffix)) {
            throw new IllegalArgumentException("data.probe_source '" + name + "' is not a probe source, or not the"
                    + " type's, " + suffix);
        }
        Extensions x = Extensions.NONE;
        for (Field f : Field.values()) {
            if (f.core() || f == Field.SESSION || !d.has(f.wireName())) {
                continue; // the session is never written out; one that is there is not the receiver's
            }
            try {
                x = f.isUnsigned() ? x.withUnsigned(f, unsigned(d, f)) : x.withText(f, text(d, f.wireName()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data." + f.wireName() + ": " + e.getMessage(), e);
            }
        }
        JsonNode output = d.path("output");
        try {
            ProbeEvent probe = new ProbeEvent((int) unsigned(d, Field.CONTENT_VERSION), source,
                    unsigned(d, Field.GUEST_PID), text(d, Field.GUEST_COMM.wireName()),
                    unsigned(d, Field.GUEST_MONOTONIC_NS), x);
            return new EventFacts.Guest(probe, count(output, "connection"), count(output, "frame"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data: " + e.getMessage(), e);
        }
    }

    private static EventFacts.HostDropped hostDropped(JsonNode d) {
        Map<DropCause, Long> byCause = new LinkedHashMap<>();
        for (Map.Entry<String, Long> c : counts(d).entrySet()) {
            DropCause cause = DropCause.ofCode(c.getKey());
            if (cause == null) {
                throw new IllegalArgumentException("data.host_dropped." + c.getKey() + " is no cause of the receiver's");
            }
            byCause.put(cause, c.getValue());
        }
        String last = d.has("last_rejection") ? text(d, "last_rejection") : null;
        return new EventFacts.HostDropped(byCause, agentDroppedTotal(d), last);
    }

    /** {@code agent_dropped_total}: its count, or -1 for {@code null} (the agent reported none). */
    private static long agentDroppedTotal(JsonNode d) {
        return d.path("agent_dropped_total").isNull() ? -1 : u64(d, "agent_dropped_total");
    }

    private static CellStamp stamp(JsonNode d) {
        JsonNode hash = d.path("spec_signature_hash");
        try {
            return new CellStamp(text(d, "cell_id"), text(d, "run_id"), hash.isNull() ? null : text(d,
                    "spec_signature_hash"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data: " + e.getMessage(), e);
        }
    }

    /** {@code host_dropped}: cause code to count. */
    private static Map<String, Long> counts(JsonNode d) {
        JsonNode o = d.path("host_dropped");
        if (!o.isObject()) {
            throw new IllegalArgumentException("data.host_dropped is not an object");
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String code = it.next();
            counts.put(code, count(o, code));
        }
        return counts;
    }

    private static String text(JsonNode o, String name) {
        JsonNode v = o.path(name);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(name + " is not a string: " + (v.isMissingNode() ? "absent" : v));
        }
        return v.asText();
    }

    private static Instant instant(JsonNode o, String name) {
        try {
            return OffsetDateTime.parse(text(o, name)).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " is not an RFC 3339 time: " + o.get(name), e);
        }
    }

    /** A count: a whole number from 0 to 2^53-1, as the receiver writes one. */
    private static long count(JsonNode o, String name) {
        JsonNode v = o.path(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new IllegalArgumentException(name + " is not a count: " + (v.isMissingNode() ? "absent" : v));
        }
        return v.asLong();
    }

    private static int port(JsonNode d) {
        long port = count(d, "port");
        if (port > 65535) {
            throw new IllegalArgumentException("port " + port + " is no port");
        }
        return (int) port;
    }

    /** A wire key's unsigned value, in either of the forms §7.1 writes a u64 in; its range is the key's. */
    private static long unsigned(JsonNode d, Field f) {
        long v = u64(d, f.wireName());
        if (Long.compareUnsigned(v, f.max()) > 0) {
            throw new IllegalArgumentException(f.wireName() + " " + Long.toUnsignedString(v) + " is out of its range");
        }
        return v;
    }

    /** An unsigned 64-bit value: a JSON number up to 2^53-1, or a string of decimal digits. */
    private static long u64(JsonNode o, String name) {
        JsonNode v = o.path(name);
        if (v.isTextual()) {
            try {
                if (v.asText().matches("[0-9]{1,20}")) {
                    return Long.parseUnsignedLong(v.asText());
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " is not an unsigned 64-bit value: " + v, e);
            }
            throw new IllegalArgumentException(name + " is not an unsigned 64-bit value: " + v);
        }
        return count(o, name);
    }
}
