package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellos.telemetry.host.sign.EventChain;
import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.wire.ProbeEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event of the receiver's own format, read back and written as OCSF, is byte for byte the event
 * a receiver of that format makes; and what is not such an event is refused with a reason, never
 * with anything but {@link IllegalArgumentException}.
 */
class EventReaderTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant AT = Instant.parse("2026-11-21T15:04:05.123456789Z");

    /** Every kind of event, in {@code format}. */
    static List<CellEvent> everyKind(EventFormat format) {
        EventProjector p = new EventProjector(OcsfOutputTest.STAMP, "/run/c/cell.vsock_9001", format);
        List<CellEvent> all = new ArrayList<>();
        int frame = 1;
        for (Map.Entry<ProbeEvent, Long> f : OcsfOutputTest.FRAMES) {
            all.add(p.guest(f.getKey(), 2, frame++, AT.plusMillis(frame), SessionCheck.PINNED));
        }
        long[] counts = new long[DropCause.values().length];
        counts[DropCause.WRONG_FIELD_TYPE.ordinal()] = 4;
        counts[DropCause.CHANNEL_REFUSED.ordinal()] = 1;
        all.add(p.silenced(AT, 10_000, null, 0, SessionCheck.NOT_PINNED_YET));
        all.add(p.silenced(AT, 500, AT.minusSeconds(1), 12, SessionCheck.NONE_COMPATIBILITY_MODE));
        all.add(p.hostDropped(1, AT, counts, -1L, "connection 1 frame 2: bad", SessionCheck.PINNED));
        all.add(p.hostDropped(2, AT, counts, 3, null, SessionCheck.PINNED));
        all.add(p.channelRefused(1, AT, 9001, 3, "no session", SessionCheck.PINNED));
        all.add(p.closed(AT, 40, 2, 5, -1, SessionCheck.PINNED));
        all.add(p.closed(AT, 40, 2, 0, 3, SessionCheck.PINNED));
        all.add(new EventProjector(new CellStamp("cell-1", "run-1", null), null, format)
                .sinkDropped("nats", 1, AT, Map.of("sink_overflow", 2L, "sink_rejected", 1L), "full"));
        return all;
    }

    @Test
    void readBackAndWrittenAsOcsfIsWhatAnOcsfReceiverMakes() throws Exception {
        EventEncoder encoder = new EventEncoder(null);
        List<CellEvent> own = everyKind(EventFormat.CLOUDEVENTS);
        List<CellEvent> ocsf = everyKind(EventFormat.OCSF);
        for (int i = 0; i < own.size(); i++) {
            JsonNode json = JSON.readTree(encoder.encode(own.get(i)));
            assertEquals(EventFormat.CLOUDEVENTS, EventReader.formatOf(json));
            byte[] converted = encoder.encode(EventReader.read(json).in(EventFormat.OCSF, new EventChain()));
            assertEquals(new String(encoder.encode(ocsf.get(i))), new String(converted));
            JsonNode back = JSON.readTree(converted);
            assertEquals(EventFormat.OCSF, EventReader.formatOf(back));
            assertEquals(List.of(), OcsfOutputTest.VALIDATOR.errors(back.get("data")));
            // and the receiver's own format again: nothing lost on the way
            assertArrayEquals(encoder.encode(own.get(i)),
                    encoder.encode(EventReader.read(json).in(EventFormat.CLOUDEVENTS, new EventChain())));
        }
    }

    @Test
    void anOcsfEventOrAStrangersIsRefusedSayingWhy() throws Exception {
        JsonNode ocsf = JSON.readTree(new EventEncoder(null).encode(everyKind(EventFormat.OCSF).get(0)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventReader.read(ocsf)).getMessage()
                .contains("already OCSF"));
        ObjectNode own = (ObjectNode) JSON.readTree(new EventEncoder(null).encode(
                everyKind(EventFormat.CLOUDEVENTS).get(0)));
        Map<String, Consumer<ObjectNode>> breaks = Map.of(
                "source", e -> e.put("source", "urn:cellos:cell:other"),
                "cell id", e -> data(e).put("cell_id", "a/b"),
                "guest_pid", e -> data(e).put("guest_pid", 1L << 33),
                "session_check", e -> data(e).put("session_check", "trust me"),
                "probe_source", e -> data(e).put("probe_source", "process.exec"),
                "time", e -> e.put("time", "yesterday"),
                "sha256", e -> data(e).put("sha256", "not hex"));
        for (Map.Entry<String, Consumer<ObjectNode>> b : breaks.entrySet()) {
            ObjectNode broken = own.deepCopy();
            b.getValue().accept(broken);
            String message = assertThrows(IllegalArgumentException.class, () -> EventReader.read(broken)).getMessage();
            assertTrue(message.contains(b.getKey()), b.getKey() + ": " + message);
        }
    }

    /**
     * Any member of any kind of event replaced by any kind of JSON value: refused, or read and
     * written as valid OCSF; never a crash.
     */
    @Test
    void everyMemberReplacedByAnythingIsReadOrRefused() throws Exception {
        JsonNodeFactory f = JsonNodeFactory.instance;
        List<JsonNode> values = Arrays.asList(f.nullNode(), f.textNode(""), f.textNode("x"), f.numberNode(-1),
                f.numberNode(1L << 60), f.numberNode(1.5), f.booleanNode(true), f.objectNode(), f.arrayNode(),
                f.textNode("99999999999999999999999"), f.textNode("18446744073709551615"));
        int refused = 0;
        for (CellEvent e : everyKind(EventFormat.CLOUDEVENTS)) {
            ObjectNode json = (ObjectNode) JSON.readTree(new EventEncoder(null).encode(e));
            List<String[]> paths = new ArrayList<>();
            json.fieldNames().forEachRemaining(n -> paths.add(new String[]{n}));
            json.get("data").fieldNames().forEachRemaining(n -> paths.add(new String[]{"data", n}));
            for (String[] path : paths) {
                for (JsonNode v : values) {
                    ObjectNode copy = json.deepCopy();
                    ObjectNode parent = path.length == 1 ? copy : (ObjectNode) copy.get("data");
                    parent.set(path[path.length - 1], v);
                    try {
                        JsonNode ocsf = JSON.readTree(new EventEncoder(null).encode(
                                EventReader.read(copy).in(EventFormat.OCSF, new EventChain())));
                        assertEquals(List.of(), OcsfOutputTest.VALIDATOR.errors(ocsf.get("data")), copy.toString());
                    } catch (IllegalArgumentException expected) {
                        refused++;
                    }
                }
            }
        }
        assertTrue(refused > 0);
    }

    private static ObjectNode data(ObjectNode e) {
        return (ObjectNode) e.get("data");
    }
}
