package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an event says, read back from its CloudEvent JSON as {@link EventProjector} writes it
 * (protocol.md §7): for a tool that has only an event log. The inverse of the projector for the
 * facts it writes; what the log cannot give back (a guest frame's {@code session}, which is never
 * written) is absent.
 *
 * <p>An event log is outside input: a line someone edited, or wrote by hand, is refused with the
 * member that is wrong, never half read. A number may be written as a decimal string (I-JSON,
 * §7.1); a value out of its key's range is refused as the decoder refuses it on the wire.
 * Stateless; thread-safe.
 */
public final class EventFactsReader {
    private EventFactsReader() {
    }

    /**
     * The facts of {@code event}, a CloudEvent of this receiver's.
     *
     * @throws IllegalArgumentException naming the member that is missing, of the wrong type or out
     *                                  of range, or the type that is not this receiver's
     */
    public static EventFacts read(JsonNode event) {
        String type = event.path("type").asText("");
        if (!type.startsWith(EventProjector.TYPE_PREFIX)) {
            throw new IllegalArgumentException("type '" + type + "' is not a cell's event");
        }
        JsonNode d = event.path("data");
        if (!d.isObject()) {
            throw new IllegalArgumentException("no data object");
        }
        String suffix = type.substring(EventProjector.TYPE_PREFIX.length());
        if (!"host".equals(d.path("origin").asText(null))) {
            return guest(suffix, d);
        }
        return switch (suffix) {
            case EventProjector.SILENCED -> new EventFacts.AgentSilenced(uint(d, "keepalive_ms"),
                    instantOrNull(d, "last_frame_at"), uint(d, "frames_received"));
            case EventProjector.CHANNEL_REFUSED -> new EventFacts.ChannelRefused((int) uint(d, "port", 0xffff),
                    uint(d, "connection"), text(d, "reason"));
            case EventProjector.DROPPED -> d.has("sink")
                    ? new EventFacts.SinkDropped(text(d, "sink"), counts(d), text(d, "reason"))
                    : new EventFacts.HostDropped(causes(d), d.path("agent_dropped_total").isNull() ? -1
                    : uint(d, "agent_dropped_total"), d.has("last_rejection") ? text(d, "last_rejection") : null);
            default -> throw new IllegalArgumentException("host-made event of unknown type '" + type + "'");
        };
    }

    private static EventFacts.Guest guest(String suffix, JsonNode d) {
        ProbeSource source = ProbeSource.fromWireName(suffix);
        if (source == null || !suffix.equals(d.path(Field.PROBE_SOURCE.wireName()).asText())) {
            throw new IllegalArgumentException("probe source '" + suffix + "' unknown, or not the data's "
                    + Field.PROBE_SOURCE.wireName());
        }
        Extensions x = new Extensions(optionalUint(d, Field.DROPPED_TOTAL), optionalUint(d, Field.PARENT_PID),
                optionalUint(d, Field.EXIT_CODE), optionalText(d, Field.PATH), optionalText(d, Field.PEER),
                narrow(optionalUint(d, Field.CAPABILITY)), narrow(optionalUint(d, Field.SYSCALL)), null,
                optionalText(d, Field.WHAT), optionalText(d, Field.CMDLINE), optionalText(d, Field.SHA256),
                optionalText(d, Field.HOST), optionalText(d, Field.EXE), optionalText(d, Field.SOCKET));
        ProbeEvent e = new ProbeEvent((int) uint(d, Field.CONTENT_VERSION.wireName(), Field.CONTENT_VERSION.max()),
                source, uint(d, Field.GUEST_PID.wireName(), Field.GUEST_PID.max()), text(d, Field.GUEST_COMM.wireName()),
                uint(d, Field.GUEST_MONOTONIC_NS.wireName(), Field.GUEST_MONOTONIC_NS.max()), x);
        JsonNode output = d.path("output");
        return new EventFacts.Guest(e, uint(output, "connection"), uint(output, "frame"));
    }

    /** {@code host_dropped} by cause; a cause this receiver does not know is refused. */
    private static Map<DropCause, Long> causes(JsonNode d) {
        Map<DropCause, Long> byCause = new LinkedHashMap<>();
        counts(d).forEach((code, n) -> byCause.put(Arrays.stream(DropCause.values()).filter(c -> c.code().equals(code))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("host_dropped: unknown cause '" + code + "'")),
                n));
        return byCause;
    }

    private static Map<String, Long> counts(JsonNode d) {
        JsonNode counts = d.path("host_dropped");
        if (!counts.isObject()) {
            throw new IllegalArgumentException("host_dropped is not an object");
        }
        Map<String, Long> byCode = new LinkedHashMap<>();
        counts.properties().forEach(c -> byCode.put(c.getKey(), uint(counts, c.getKey())));
        return byCode;
    }

    private static Long optionalUint(JsonNode d, Field f) {
        return d.has(f.wireName()) ? uint(d, f.wireName(), f.max()) : null;
    }

    private static Integer narrow(Long v) {
        return v == null ? null : v.intValue(); // within the key's range: u8 or u16
    }

    private static String optionalText(JsonNode d, Field f) {
        return d.has(f.wireName()) ? text(d, f.wireName()) : null;
    }

    private static long uint(JsonNode d, String name) {
        return uint(d, name, Long.MAX_VALUE);
    }

    /**
     * The unsigned integer {@code d.name}, at most {@code max} (compared unsigned): a JSON integer,
     * or a string of decimal digits for a value above 2^53-1.
     */
    private static long uint(JsonNode d, String name, long max) {
        JsonNode v = d.path(name);
        long value;
        if (v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0) {
            value = v.asLong();
        } else if (v.isTextual() && v.asText().matches("[0-9]{1,20}")) {
            try {
                value = Long.parseUnsignedLong(v.asText());
            } catch (NumberFormatException tooLarge) {
                throw new IllegalArgumentException(name + " is over 2^64-1");
            }
        } else {
            throw new IllegalArgumentException(name + " is " + (v.isMissingNode() ? "missing" : "not an unsigned integer: " + v));
        }
        if (Long.compareUnsigned(value, max) > 0) {
            throw new IllegalArgumentException(name + " out of range: " + Long.toUnsignedString(value));
        }
        return value;
    }

    private static String text(JsonNode d, String name) {
        JsonNode v = d.path(name);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(name + " is " + (v.isMissingNode() ? "missing" : "not a string: " + v));
        }
        return v.asText();
    }

    private static Instant instantOrNull(JsonNode d, String name) {
        if (d.path(name).isNull()) {
            return null;
        }
        try {
            return Instant.parse(text(d, name));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " is not an RFC 3339 instant: " + d.path(name));
        }
    }
}
