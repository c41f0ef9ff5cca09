package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events as the receiver writes them read back to the facts they were written from, every kind and
 * every extension key; a line changed so that it says something the receiver never writes is
 * refused with the member that is wrong.
 */
class EventReaderFactsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventProjector P = EventFactsTest.PROJECTOR;

    @Test
    void everyKindOfEventReadsBackToItsFacts() throws Exception {
        long[] counts = new long[DropCause.values().length];
        counts[DropCause.NOT_A_MAP.ordinal()] = 2;
        counts[DropCause.CHANNEL_REFUSED.ordinal()] = 1;
        List<CellEvent> events = List.of(
                P.guest(ProbeEvent.of(ProbeSource.PROCESS_EXEC, 42, "sh", -1L).withExtensions(Extensions.NONE
                        .withPath("/bin/sh").withCmdline("sh -c 'x'").withSha256("ab".repeat(32))), 1, 2,
                        EventFactsTest.AT, SessionCheck.PINNED),
                P.guest(ProbeEvent.of(ProbeSource.TELEMETRY_DROPPED, 2, "cellos-agent", 1).withExtensions(Extensions.NONE
                        .withDroppedTotal(-2L)), 1, 3, EventFactsTest.AT, SessionCheck.PINNED),
                P.guest(ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 42, "curl", 5).withExtensions(Extensions.NONE
                        .withPeer("[::1]:443").withHost("example.org").withExe("/usr/bin/curl")), 1, 4, EventFactsTest.AT,
                        SessionCheck.PINNED),
                P.guest(ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 42, "sh", 6).withExtensions(Extensions.NONE
                        .withSyscall(165).withCapability(21)), 1, 5, EventFactsTest.AT, SessionCheck.PINNED),
                P.guest(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 42, "sh", 7).withExtensions(Extensions.NONE
                        .withExitCode(9 | 0x80)), 1, 6, EventFactsTest.AT, SessionCheck.PINNED),
                P.guest(ProbeEvent.of(ProbeSource.AGENT_TAMPERED, 2, "x", 8).withExtensions(Extensions.NONE
                        .withWhat("audit off")), 2, 1, EventFactsTest.AT, SessionCheck.PINNED),
                P.guest(ProbeEvent.of(ProbeSource.NET_RAW_SOCKET_OPENED, 42, "ping", 9).withExtensions(Extensions.NONE
                        .withSocket("inet raw 1")), 2, 2, EventFactsTest.AT, SessionCheck.PINNED),
                P.hostDropped(1, EventFactsTest.AT, counts, 5, "bad", SessionCheck.PINNED),
                P.hostDropped(2, EventFactsTest.AT, counts, -1, null, SessionCheck.PINNED),
                P.channelRefused(1, EventFactsTest.AT, 9000, 2, "not init's", SessionCheck.PINNED),
                P.silenced(EventFactsTest.AT, 10_000, null, 0, SessionCheck.NOT_PINNED_YET),
                P.silenced(EventFactsTest.AT, 10_000, EventFactsTest.AT, 11, SessionCheck.PINNED),
                P.sinkDropped("nats", 1, EventFactsTest.AT, Map.of("timeout", 3L), "no ack"));
        for (CellEvent e : events) {
            assertEquals(e.facts(), EventReader.read(line(e)).facts(), e.facts().toString());
        }
    }

    @Test
    void aLineThatSaysWhatTheReceiverNeverWritesIsRefusedByItsMember() throws Exception {
        JsonNode exec = line(P.guest(ProbeEvent.of(ProbeSource.PROCESS_EXEC, 42, "sh", 1).withExtensions(Extensions.NONE
                .withSha256("ab".repeat(32))), 1, 2, EventFactsTest.AT, SessionCheck.PINNED));
        JsonNode dropped = line(P.hostDropped(1, EventFactsTest.AT, new long[DropCause.values().length], 5, null,
                SessionCheck.PINNED));
        Map<String, Consumer<ObjectNode>> execMutations = Map.of(
                "guest_pid", d -> d.put("guest_pid", 1L << 32),
                "sha256", d -> d.put("sha256", "AB"),
                "guest_comm", d -> d.put("guest_comm", 7),
                "probe_source", d -> d.put("probe_source", "process.exited"),
                "content_version", d -> d.put("content_version", 0x0200),
                "parent_pid", d -> d.put("parent_pid", -1),
                "guest_monotonic_ns", d -> d.remove("guest_monotonic_ns"));
        execMutations.forEach((member, change) -> assertRefused(exec, member, change));
        assertRefused(dropped, "host_dropped", d -> ((ObjectNode) d.get("host_dropped")).put("gremlins", 1));
        assertRefused(dropped, "agent_dropped_total", d -> d.put("agent_dropped_total", "many"));
        IllegalArgumentException notOurs = assertThrows(IllegalArgumentException.class,
                () -> EventReader.read(JSON.readTree("{\"type\":\"com.example.other\",\"data\":{}}")));
        assertTrue(notOurs.getMessage().contains("com.example.other"), notOurs.getMessage());
    }

    private static void assertRefused(JsonNode event, String member, Consumer<ObjectNode> change) {
        JsonNode copy = event.deepCopy();
        change.accept((ObjectNode) copy.get("data"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventReader.read(copy).facts(),
                member);
        assertTrue(e.getMessage().contains(member), member + ": " + e.getMessage());
    }

    private static JsonNode line(CellEvent e) throws Exception {
        return JSON.readTree(new EventEncoder(null).encode(e));
    }
}
