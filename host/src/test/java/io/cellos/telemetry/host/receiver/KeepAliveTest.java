package io.cellos.telemetry.host.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.cellos.telemetry.host.receiver.ReceiverTest.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code agent_silenced}: exactly once per run, after a keep-alive window without a frame,
 * counted from bind. The waits below are several windows long, so the outcome does not depend
 * on scheduling.
 */
class KeepAliveTest {
    static final Duration WINDOW = Duration.ofMillis(300);

    @TempDir
    Path dir;
    CapturingSink sink = new CapturingSink();
    Receiver receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(WINDOW), sink, System.err);

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void aSilentCellIsReportedExactlyOnce() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("quiet", "r1", null));
        JsonNode e = sink.await(CapturingSink.type("agent_silenced"), 1, PATIENCE).get(0);
        Thread.sleep(WINDOW.multipliedBy(5).toMillis());
        assertEquals(1, sink.ofType("agent_silenced").size());
        assertEquals("r1/silenced", e.get("id").asText());
        assertEquals("urn:cellos:cell:quiet", e.get("source").asText());
        assertEquals(300, e.at("/data/keepalive_ms").asLong());
        assertTrue(e.at("/data/last_frame_at").isNull());
        assertTrue(cell.stats().silenced());
    }

    @Test
    void framesWithinTheWindowKeepItQuietAndSilenceAfterThemIsReportedOnce() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("busy", "r1", null));
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            for (int i = 0; i < 15; i++) { // 1.5 s of heartbeats, five windows
                g.send(ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 2, "agent", i));
                Thread.sleep(WINDOW.toMillis() / 3);
            }
            sink.await(CapturingSink.type("agent.heartbeat"), 15, PATIENCE);
            assertEquals(0, sink.ofType("agent_silenced").size());
            assertFalse(cell.stats().silenced());
        }
        // the agent stops: one report, never a second
        JsonNode e = sink.await(CapturingSink.type("agent_silenced"), 1, PATIENCE).get(0);
        assertEquals(15, e.at("/data/frames_received").asLong());
        assertFalse(e.at("/data/last_frame_at").isNull());
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 2, "agent", 99));
        }
        Thread.sleep(WINDOW.multipliedBy(5).toMillis());
        assertEquals(1, sink.ofType("agent_silenced").size());
    }
}
