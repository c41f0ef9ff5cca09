package io.cellos.telemetry.host.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The receiver end to end over real UNIX sockets: attribution, numbering, ids, lifecycle. */
class ReceiverTest {
    static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    CapturingSink sink;
    Receiver receiver;

    @BeforeEach
    void start() {
        sink = new CapturingSink();
        receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5)), sink, System.err);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void aFrameBecomesOneStampedCloudEvent() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("cell.vsock"), new CellStamp("cell-1", "run-7", "sha256:abc"));
        assertEquals(dir.resolve("cell.vsock_9001").toAbsolutePath(), cell.socketPath());
        Instant before = Instant.now();
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 42, "sh", 1_000_000_000L)
                    .withExtensions(Extensions.NONE.withParentPid(1)));
        }
        JsonNode e = sink.await(CapturingSink.type("process.spawned"), 1, PATIENCE).get(0);
        assertEquals("1.0", e.get("specversion").asText());
        assertEquals("cell.observability.guest.process.spawned", e.get("type").asText());
        assertEquals("urn:cellos:cell:cell-1", e.get("source").asText());
        assertEquals("run-7/c1/f1", e.get("id").asText());
        assertEquals("application/json", e.get("datacontenttype").asText());
        JsonNode d = e.get("data");
        assertEquals(0x0101, d.get("content_version").asInt());
        assertEquals(42, d.get("guest_pid").asLong());
        assertEquals("sh", d.get("guest_comm").asText());
        assertEquals(1_000_000_000L, d.get("guest_monotonic_ns").asLong());
        assertEquals(1, d.get("parent_pid").asLong());
        assertEquals("cell-1", d.get("cell_id").asText());
        assertEquals("run-7", d.get("run_id").asText());
        assertEquals("sha256:abc", d.get("spec_signature_hash").asText());
        assertEquals("pinned", d.get("session_check").asText());
        assertFalse(d.has("session"), "the agent's session is never written out");
        Instant received = Instant.parse(d.get("host_received_at").asText());
        assertFalse(received.isBefore(before.minusMillis(1)));
        assertEquals(received, Instant.parse(e.get("time").asText()));
        assertEquals(cell.socketPath().toString(), d.at("/output/socket").asText());
        assertEquals(1, d.at("/output/connection").asLong());
        assertEquals(1, d.at("/output/frame").asLong());
    }

    @Test
    void theGuestCannotSetHostFields() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("real-cell", "real-run", null));
        // A body with every core key plus keys named like the host's stamp: unknown keys are ignored.
        byte[] body = new CborMap()
                .uint("content_version", 0x0100).text("probe_source", "process.exited").uint("guest_pid", 7)
                .text("guest_comm", "evil").uint("guest_monotonic_ns", 5).text("session", GuestClient.SESSION)
                .text("cell_id", "forged").text("run_id", "forged").text("host_received_at", "1970-01-01T00:00:00Z")
                .text("spec_signature_hash", "forged").text("session_check", "forged")
                .bytes();
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.body(body);
        }
        JsonNode event = sink.await(CapturingSink.type("process.exited"), 1, PATIENCE).get(0);
        JsonNode d = event.get("data");
        assertEquals(event.get("time").asText(), d.get("host_received_at").asText(), "one instant, one text");
        assertEquals("real-cell", d.get("cell_id").asText());
        assertEquals("real-run", d.get("run_id").asText());
        assertTrue(d.get("spec_signature_hash").isNull());
        assertEquals("pinned", d.get("session_check").asText());
        assertTrue(Instant.parse(d.get("host_received_at").asText()).isAfter(Instant.parse("2020-01-01T00:00:00Z")));
    }

    @Test
    void anExitCarriesTheStatusOrSignalItsRawWaitStatusEncodes() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("c", "r", null));
        long[] raw = {1 << 8, 9, 0x8b, 0x10000, 0x137f};
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            for (int i = 0; i < raw.length; i++) {
                g.send(new ProbeEvent(Wire.VERSION_1_1, ProbeSource.PROCESS_EXITED, 100 + i, "p", 1,
                        Extensions.NONE.withExitCode(raw[i])));
            }
            // a guest's own key of that name is an unknown key: ignored
            g.body(new CborMap().uint("content_version", 0x0100).text("probe_source", "process.exited")
                    .uint("guest_pid", 200).text("guest_comm", "evil").uint("guest_monotonic_ns", 5)
                    .uint("exit_status", 0).bytes());
        }
        List<JsonNode> d = sink.await(CapturingSink.type("process.exited"), raw.length + 1, PATIENCE).stream()
                .map(e -> e.get("data")).toList();
        assertEquals(1, d.get(0).get("exit_status").asInt(), "false exits 1: raw 256");
        assertFalse(d.get(0).has("exit_signal"));
        assertEquals(9, d.get(1).get("exit_signal").asInt());
        assertEquals("SIGKILL", d.get(1).get("exit_signal_name").asText());
        assertFalse(d.get(1).has("exit_status") || d.get(1).has("core_dumped"));
        assertEquals("SIGSEGV", d.get(2).get("exit_signal_name").asText());
        assertTrue(d.get(2).get("core_dumped").asBoolean());
        for (int i : new int[] {3, 4, 5}) {
            assertFalse(d.get(i).has("exit_status") || d.get(i).has("exit_signal"),
                    "not the status of an ended process, or no status at all: nothing derived: " + d.get(i));
        }
    }

    @Test
    void framesAreNumberedPerConnectionAndIdsAreDeterministic() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("c", "r", null));
        ProbeEvent e = ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 2, "cellos-telemetry", 1);
        for (int conn = 0; conn < 3; conn++) { // the agent reconnects: one connection after another
            try (GuestClient g = new GuestClient(cell.socketPath())) {
                g.send(e).send(e);
            }
            sink.await(CapturingSink.type("agent.heartbeat"), 2 * (conn + 1), PATIENCE);
        }
        List<String> ids = sink.ofType("agent.heartbeat").stream().map(x -> x.get("id").asText()).toList();
        assertEquals(List.of("r/c1/f1", "r/c1/f2", "r/c2/f1", "r/c2/f2", "r/c3/f1", "r/c3/f2"), ids);
    }

    @Test
    void concurrentConnectionsOfOneCellAllArrive() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("c", "r", null));
        List<GuestClient> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(new GuestClient(cell.socketPath()));
        }
        for (int round = 0; round < 100; round++) {
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).send(ProbeEvent.of(ProbeSource.PROCESS_EXEC, i, "w" + i, round));
            }
        }
        for (GuestClient c : clients) {
            c.close();
        }
        List<JsonNode> got = sink.await(CapturingSink.type("process.exec"), 800, PATIENCE);
        assertEquals(800, got.size());
        assertEquals(800, got.stream().map(x -> x.get("id").asText()).distinct().count());
        assertEquals(8, cell.stats().connections());
    }

    @Test
    void closingTheHandleUnlinksTheSocket() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("c", "r", null));
        assertTrue(Files.exists(cell.socketPath()));
        cell.close();
        assertFalse(Files.exists(cell.socketPath()));
        assertThrows(IOException.class, () -> new GuestClient(cell.socketPath()));
        cell.close(); // idempotent
    }

    @Test
    void aLiveListenerIsNeverStolenButAStaleSocketIsReplaced() throws Exception {
        Path base = dir.resolve("c");
        Path path = Receiver.listenerPath(base, 9001);
        try (ForeignListener other = ForeignListener.at(path)) {
            IOException e = assertThrows(IOException.class, () -> receiver.bind(base, new CellStamp("c", "r", null)));
            assertTrue(e.getMessage().contains("another listener"), e.getMessage());
        }
        assertTrue(Files.exists(path)); // the other listener closed without unlinking: stale
        CellHandle cell = receiver.bind(base, new CellStamp("c", "r", null));
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 1, "a", 1));
        }
        sink.await(CapturingSink.type("process.spawned"), 1, PATIENCE);
    }

    @Test
    void aSecondBindOfALiveCellIsRefusedWithoutTouchingIt() throws Exception {
        Path base = dir.resolve("live");
        CellHandle live = receiver.bind(base, new CellStamp("c", "r", null));
        try (Receiver second = Receiver.start(ReceiverOptions.defaults(), new CapturingSink(), System.err)) {
            IOException e = assertThrows(IOException.class, () -> second.bind(base, new CellStamp("c", "r2", null)));
            assertTrue(e.getMessage().contains("cannot listen on " + live.socketPath() + ": another listener is serving it"),
                    e.getMessage());
        }
        assertEquals(0, live.stats().connections(), "the refused bind connected to the live listener");
        try (GuestClient g = new GuestClient(live.socketPath())) {
            g.send(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 1, "a", 1));
        }
        sink.await(CapturingSink.type("process.spawned"), 1, PATIENCE);
        assertEquals(1, live.stats().connections(), "the live cell still serves its guest");
    }

    @Test
    void aPathThatIsNotASocketIsAnError() throws Exception {
        Path base = dir.resolve("c");
        Files.writeString(Receiver.listenerPath(base, 9001), "not a socket");
        IOException e = assertThrows(IOException.class, () -> receiver.bind(base, new CellStamp("c", "r", null)));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        IOException missing = assertThrows(IOException.class,
                () -> receiver.bind(dir.resolve("no/such/dir/c"), new CellStamp("c", "r", null)));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void stampsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new CellStamp("a.b", "r", null));
        assertThrows(IllegalArgumentException.class, () -> new CellStamp("c", "r r", null));
        assertThrows(IllegalArgumentException.class, () -> new CellStamp("c", "r", "has space"));
        assertThrows(IllegalArgumentException.class, () -> new CellStamp("", "r", null));
    }

    @Test
    void awaitingStatsReturnsThemOnceTheyMeetTheConditionOrSaysWhatItSaw() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("c", "r", null));
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 1, "a", 1)).send(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 1, "a", 2));
        }
        CellStats s = cell.awaitStats(x -> x.framesEmitted() == 2 && x.openConnections() == 0, PATIENCE);
        assertEquals(2, s.framesEmitted());
        assertEquals(2, sink.ofType("process.spawned").size(), "what the counters count has reached the sink");
        TimeoutException never = assertThrows(TimeoutException.class,
                () -> cell.awaitStats(x -> x.framesEmitted() > 2, Duration.ZERO));
        assertTrue(never.getMessage().contains("framesEmitted=2"), never.getMessage());
        IllegalStateException broken = assertThrows(IllegalStateException.class, () -> cell.awaitStats(x -> {
            throw new ArithmeticException("a broken condition");
        }, PATIENCE));
        assertEquals("a broken condition", broken.getCause().getMessage());
        assertEquals(2, cell.stats().framesEmitted(), "the loop went on");
    }

    @Test
    void largeUnsignedValuesStayExact() throws Exception {
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("c", "r", null));
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            g.send(ProbeEvent.of(ProbeSource.TELEMETRY_DROPPED, 2, "agent", -1L)
                    .withExtensions(Extensions.NONE.withDroppedTotal((1L << 53) - 1)));
        }
        JsonNode d = sink.await(CapturingSink.type("telemetry.dropped"), 1, PATIENCE).get(0).get("data");
        assertEquals("18446744073709551615", d.get("guest_monotonic_ns").asText());
        assertTrue(d.get("guest_monotonic_ns").isTextual());
        assertTrue(d.get("dropped_total").isNumber());
        assertEquals((1L << 53) - 1, d.get("dropped_total").asLong());
        assertEquals((1L << 53) - 1, cell.stats().agentDroppedTotal());
    }
}
