package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event's typed facts and stamp say what its JSON says: the projector writes the data from them,
 * so a sink or the summary that reads them learns what a consumer of the JSON would.
 */
class EventFactsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final CellStamp STAMP = new CellStamp("cell-1", "run-1", "sha256:ab");
    static final EventProjector PROJECTOR = new EventProjector(STAMP, "/run/c_9001");
    static final Instant AT = Instant.parse("2026-11-21T15:04:05.120Z");

    @Test
    void aGuestEventsFactsAreItsFrame() throws Exception {
        ProbeEvent frame = ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 42, "sh", 7)
                .withExtensions(Extensions.NONE.withSyscall(165).withCapability(21));
        CellEvent e = PROJECTOR.guest(frame, 3, 9, AT, SessionCheck.PINNED);
        EventFacts.Guest g = assertInstanceOf(EventFacts.Guest.class, e.facts());
        assertSame(frame, g.probe());
        assertEquals(3, g.connection());
        assertEquals(9, g.frame());
        JsonNode d = data(e);
        assertEquals(42, d.get("guest_pid").asLong());
        assertEquals(165, d.get("syscall").asInt());
        assertEquals(3, d.at("/output/connection").asLong());
        assertEquals(9, d.at("/output/frame").asLong());
        assertEquals("capability.denied", g.typeSuffix());
    }

    @Test
    void hostReportsFactsAreTheirData() throws Exception {
        long[] counts = new long[DropCause.values().length];
        counts[DropCause.NOT_A_MAP.ordinal()] = 2;
        counts[DropCause.CHANNEL_REFUSED.ordinal()] = 1;
        CellEvent dropped = PROJECTOR.hostDropped(1, AT, counts, 5, "bad", SessionCheck.PINNED);
        EventFacts.HostDropped h = assertInstanceOf(EventFacts.HostDropped.class, dropped.facts());
        assertEquals(Map.of(DropCause.NOT_A_MAP, 2L, DropCause.CHANNEL_REFUSED, 1L), h.byCause());
        assertEquals(data(dropped).get("host_dropped_total").asLong(), h.total());
        assertEquals(5, data(dropped).get("agent_dropped_total").asLong());

        CellEvent refused = PROJECTOR.channelRefused(1, AT, 9000, 2, "not init's", SessionCheck.NOT_PINNED_YET);
        EventFacts.ChannelRefused r = assertInstanceOf(EventFacts.ChannelRefused.class, refused.facts());
        assertEquals(data(refused).get("port").asInt(), r.port());
        assertEquals(data(refused).get("connection").asLong(), r.connection());
        assertEquals(data(refused).get("reason").asText(), r.reason());

        CellEvent silenced = PROJECTOR.silenced(AT, 300, null, 4, SessionCheck.PINNED);
        EventFacts.AgentSilenced s = assertInstanceOf(EventFacts.AgentSilenced.class, silenced.facts());
        assertEquals(data(silenced).get("keepalive_ms").asLong(), s.keepaliveMillis());
        assertEquals(data(silenced).get("frames_received").asLong(), s.framesReceived());
        assertTrue(data(silenced).get("last_frame_at").isNull());

        CellEvent sink = new EventProjector(STAMP, null).sinkDropped("nats", 1, AT, Map.of("sink_overflow", 3L), "full");
        EventFacts.SinkDropped k = assertInstanceOf(EventFacts.SinkDropped.class, sink.facts());
        assertEquals(data(sink).get("host_dropped_total").asLong(), k.total());
        assertEquals(data(sink).get("sink").asText(), k.sink());
    }

    @Test
    void everyEventCarriesItsCellsStampAndItsTypeFromItsFacts() throws Exception {
        for (CellEvent e : new CellEvent[] {
                PROJECTOR.guest(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 1, "a", 1), 1, 1, AT, SessionCheck.PINNED),
                PROJECTOR.silenced(AT, 1, AT, 1, SessionCheck.PINNED),
                PROJECTOR.hostDropped(1, AT, new long[DropCause.values().length], -1, null, SessionCheck.PINNED),
                PROJECTOR.channelRefused(1, AT, 9001, 1, "r", SessionCheck.PINNED)}) {
            assertSame(STAMP, e.stamp());
            assertEquals(e.cloudEvent().getType(), e.facts().type());
            assertEquals(EventProjector.TYPE_PREFIX + e.facts().typeSuffix(), e.facts().type());
            assertEquals(STAMP.cellId(), data(e).get("cell_id").asText());
            assertEquals(STAMP.runId(), data(e).get("run_id").asText());
        }
    }

    private static JsonNode data(CellEvent e) throws Exception {
        return JSON.readTree(e.cloudEvent().getData().toBytes());
    }
}
