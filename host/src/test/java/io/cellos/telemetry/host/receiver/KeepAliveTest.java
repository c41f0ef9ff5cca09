package io.cellos.telemetry.host.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.TestClock;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static io.cellos.telemetry.host.receiver.ReceiverTest.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code agent_silenced}: exactly once per run, after a keep-alive window without a frame,
 * counted from bind. Time is a {@link TestClock} that the test moves on: a call into the cell
 * ({@link CellHandle#stats()}) sees every timer due by then, so each count is exact and nothing
 * sleeps.
 */
class KeepAliveTest {
    static final Duration WINDOW = Duration.ofMillis(300);
    static final Duration NANO = Duration.ofNanos(1);

    @TempDir
    Path dir;
    TestClock clock = new TestClock();
    CapturingSink sink = new CapturingSink();
    Receiver receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(WINDOW), sink, System.err, clock);

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void aSilentCellIsReportedExactlyOnce() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("quiet", "r1", null));
        clock.advance(WINDOW.minus(NANO));
        assertFalse(cell.stats().silenced(), "one nanosecond short of the window");
        assertEquals(0, sink.ofType("agent_silenced").size());

        clock.advance(NANO);
        assertTrue(cell.stats().silenced());
        assertEquals(1, sink.ofType("agent_silenced").size());
        JsonNode e = sink.ofType("agent_silenced").get(0);
        assertEquals("r1/silenced", e.get("id").asText());
        assertEquals("urn:cellos:cell:quiet", e.get("source").asText());
        assertEquals(300, e.at("/data/keepalive_ms").asLong());
        assertTrue(e.at("/data/last_frame_at").isNull());
        assertEquals(0, e.at("/data/frames_received").asLong());
        assertEquals(TestClock.START.plus(WINDOW), Instant.parse(e.get("time").asText()), "the clock's time");

        clock.advance(WINDOW.multipliedBy(5));
        cell.stats();
        assertEquals(1, sink.ofType("agent_silenced").size(), "never a second");
    }

    @Test
    void framesWithinTheWindowKeepItQuietAndSilenceAfterThemIsReportedOnce() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("busy", "r1", null));
        Instant lastFrame = null;
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            for (int i = 0; i < 15; i++) { // five windows of heartbeats, three a window
                g.send(ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 2, "agent", i));
                sink.await(CapturingSink.type("agent.heartbeat"), i + 1, PATIENCE);
                lastFrame = clock.now();
                clock.advance(WINDOW.dividedBy(3));
                assertFalse(cell.stats().silenced());
            }
            assertEquals(0, sink.ofType("agent_silenced").size());
        }
        // the agent stops: one report, a window after its last frame, never a second
        clock.advance(WINDOW.minus(WINDOW.dividedBy(3)).minus(NANO));
        assertFalse(cell.stats().silenced(), "one nanosecond short of a window after the last frame");
        clock.advance(NANO);
        assertTrue(cell.stats().silenced());
        assertEquals(1, sink.ofType("agent_silenced").size());
        JsonNode e = sink.ofType("agent_silenced").get(0);
        assertEquals(15, e.at("/data/frames_received").asLong());
        assertEquals(lastFrame, Instant.parse(e.at("/data/last_frame_at").asText()));
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 2, "agent", 99));
        }
        sink.await(CapturingSink.type("agent.heartbeat"), 16, PATIENCE);
        clock.advance(WINDOW.multipliedBy(5));
        cell.stats();
        assertEquals(1, sink.ofType("agent_silenced").size());
    }
}
