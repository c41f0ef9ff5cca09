package io.cellos.telemetry.host.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static io.cellos.telemetry.host.receiver.ReceiverTest.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the receiver does with each kind of bad input on the agent's own connection (its first frame
 * carried the session): count it, keep or close the connection. What happens to a connection whose
 * first frame is bad is {@link SessionPinningTest}'s.
 */
class HostileInputTest {
    static final ProbeEvent GOOD = ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 9, "ok", 1);

    @TempDir
    Path dir;
    CapturingSink sink;
    Receiver receiver;
    CellHandle cell;

    @BeforeEach
    void start() throws Exception {
        sink = new CapturingSink();
        receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5))
                .withDropReportInterval(Duration.ZERO), sink, System.err);
        cell = receiver.bind(dir.resolve("c"), new CellStamp("c", "r", null));
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    /** Waits for the cell's stats to show {@code n} drops of {@code cause}. */
    private CellStats awaitDrops(DropCause cause, long n) throws Exception {
        return cell.awaitStats(s -> s.dropped().getOrDefault(cause, 0L) >= n, PATIENCE);
    }

    @Test
    void anInvalidBodyIsDroppedAndTheConnectionGoesOn() throws Exception {
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(GOOD).body(new byte[] {(byte) 0x80}).send(GOOD); // an array is not a map
        }
        sink.await(CapturingSink.type("process.spawned"), 2, PATIENCE);
        CellStats s = awaitDrops(DropCause.NOT_A_MAP, 1);
        assertEquals(2, s.framesEmitted());
        JsonNode report = sink.await(CapturingSink.type("telemetry.dropped"), 1, PATIENCE).get(0);
        assertEquals("host", report.at("/data/origin").asText());
        assertEquals(1, report.at("/data/host_dropped/not_a_map").asLong());
        assertTrue(report.at("/data/last_rejection").asText().contains("frame 2"), report.toString());
        // the third frame of the connection kept its number: numbering counts refused frames
        assertEquals("r/c1/f3", sink.ofType("process.spawned").get(1).get("id").asText());
    }

    @Test
    void anUnknownProbeSourceIsDroppedAndCounted() throws Exception {
        byte[] body = new CborMap().uint("content_version", 0x0100).text("probe_source", "process.teleported")
                .uint("guest_pid", 1).text("guest_comm", "x").uint("guest_monotonic_ns", 1).bytes();
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(GOOD).body(body).send(GOOD);
        }
        sink.await(CapturingSink.type("process.spawned"), 2, PATIENCE);
        awaitDrops(DropCause.UNKNOWN_PROBE_SOURCE, 1);
        JsonNode report = sink.await(CapturingSink.type("telemetry.dropped"), 1, PATIENCE).get(0);
        assertEquals(1, report.at("/data/host_dropped/unknown_probe_source").asLong());
    }

    @Test
    void anOversizedLengthClosesTheConnectionButNotTheCell() throws Exception {
        byte[] tooLarge = {0x01, 0x10, 0x00, 0x00}; // 4097
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            // one write, so that the receiver's close cannot race the client's writes
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            stream.writeBytes(GuestClient.encodeFirst(GOOD));
            stream.writeBytes(tooLarge);
            stream.writeBytes(GuestClient.encode(GOOD)); // lost with the framing
            g.raw(stream.toByteArray());
            awaitDrops(DropCause.FRAME_TOO_LARGE, 1);
        }
        try (GuestClient again = new GuestClient(cell.socketPath())) {
            again.send(GOOD);
        }
        sink.await(CapturingSink.type("process.spawned"), 2, PATIENCE);
        assertEquals(2, cell.stats().framesEmitted());
    }

    @Test
    void aZeroLengthClosesTheConnection() throws Exception {
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(GOOD).raw(new byte[4]);
            awaitDrops(DropCause.ZERO_LENGTH, 1);
            assertTrue(g.awaitClosedByHost(PATIENCE));
        }
    }

    @Test
    void aConnectionEndingMidFrameIsCounted() throws Exception {
        byte[] f = GuestClient.encode(GOOD);
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(GOOD).raw(Arrays.copyOf(f, f.length - 3));
        }
        sink.await(CapturingSink.type("process.spawned"), 1, PATIENCE);
        awaitDrops(DropCause.CLOSED_MID_FRAME, 1);
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedAndCounted() throws Exception {
        int limit = ReceiverOptions.defaults().maxConnectionsPerCell();
        GuestClient[] clients = new GuestClient[limit + 2];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new GuestClient(cell.socketPath());
        }
        CellStats s = awaitDrops(DropCause.CONNECTION_LIMIT, 2);
        assertEquals(limit, s.openConnections());
        for (GuestClient c : clients) {
            c.close();
        }
    }

    @Test
    void dropReportsCarryCumulativeCountsByCause() throws Exception {
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(GOOD).body(new byte[] {(byte) 0x80}).body(new byte[] {(byte) 0xa1, 0x01, 0x02})
                    .body(new byte[] {(byte) 0x80});
        }
        awaitDrops(DropCause.NOT_A_MAP, 2);
        awaitDrops(DropCause.NON_TEXT_KEY, 1);
        JsonNode last = sink.await(e -> e.get("type").asText().endsWith("telemetry.dropped")
                && e.at("/data/host_dropped_total").asLong() == 3, 1, PATIENCE).get(0);
        assertEquals(Map.of("not_a_map", 2L, "non_text_key", 1L), Map.of(
                "not_a_map", last.at("/data/host_dropped/not_a_map").asLong(),
                "non_text_key", last.at("/data/host_dropped/non_text_key").asLong()));
    }
}
