package io.cellos.telemetry.host.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.cellos.telemetry.host.receiver.ReceiverTest.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may speak on a cell's telemetry channel (protocol.md §1.3), over real UNIX sockets: the
 * agent's first connection pins its session, a reconnect presenting it is the agent's, and any
 * other connection is refused, closed and declared while the agent's own goes on.
 */
class SessionPinningTest {
    /** What the hostile workload of issue 11 sent. */
    static final ProbeEvent FORGED = ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 4_242_424, "rt-forged", 7);
    static final String PINNED = SessionCheck.PINNED.text();

    @TempDir
    Path dir;
    CapturingSink sink = new CapturingSink();
    Receiver receiver;

    @AfterEach
    void stop() {
        receiver.close();
    }

    private CellHandle bind(ReceiverOptions options) throws Exception {
        receiver = Receiver.start(options.withKeepalive(Duration.ofMinutes(5)).withDropReportInterval(Duration.ZERO),
                sink, System.err);
        return receiver.bind(dir.resolve("c"), new CellStamp("c", "r", "sha256:ab"));
    }

    private static ProbeEvent beat(long mono) {
        return ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 2, "cellos-agent", mono);
    }

    @Test
    void theFirstConnectionPinsAndAReconnectWithTheSameSessionIsTheAgents() throws Exception {
        CellHandle cell = bind(ReceiverOptions.defaults());
        try (GuestClient agent = new GuestClient(cell.socketPath())) {
            agent.send(beat(1)).send(beat(2));
            sink.await(CapturingSink.type("agent.heartbeat"), 2, PATIENCE);
        }
        try (GuestClient again = new GuestClient(cell.socketPath())) { // the agent reconnects
            again.send(beat(3));
        }
        List<JsonNode> beats = sink.await(CapturingSink.type("agent.heartbeat"), 3, PATIENCE);
        assertEquals(List.of("r/c1/f1", "r/c1/f2", "r/c2/f1"), beats.stream().map(e -> e.get("id").asText()).toList());
        for (JsonNode e : beats) {
            assertEquals(PINNED, e.at("/data/session_check").asText(), e.toString());
            assertFalse(e.get("data").has("session"), "the session never reaches the output: " + e);
        }
        assertEquals(0, sink.ofType("channel_refused").size());
        assertFalse(sink.events().toString().contains(GuestClient.SESSION), "the session is in the output");
        assertEquals(0, cell.stats().droppedTotal());
    }

    /** First frames that do not show a connection to be the agent's, and the reason each is refused for. */
    static Stream<Arguments> strangers() {
        ProbeEvent upper = FORGED.withExtensions(Extensions.NONE.withSession(GuestClient.SESSION.toUpperCase()));
        ProbeEvent shortOne = FORGED.withExtensions(Extensions.NONE.withSession(GuestClient.SESSION.substring(1)));
        ProbeEvent other = FORGED.withExtensions(Extensions.NONE.withSession("00000000000000000000000000000000"));
        return Stream.of(
                Arguments.of("no session", GuestClient.encode(FORGED),
                        "no session on its first frame (connection 1 pinned the agent's)"),
                Arguments.of("another session", GuestClient.encode(other),
                        "a session other than the one connection 1 pinned"),
                Arguments.of("upper-case digits", GuestClient.encode(upper),
                        "a malformed session on its first frame (not 32 lowercase hex digits)"),
                Arguments.of("31 digits", GuestClient.encode(shortOne),
                        "a malformed session on its first frame (not 32 lowercase hex digits)"),
                Arguments.of("a first frame that does not decode", new byte[] {1, 0, 0, 0, (byte) 0x80},
                        "its first frame does not decode (not_a_map), so nothing on it can be verified"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strangers")
    void anotherConnectionIsRefusedClosedAndDeclaredWhileTheAgentsGoesOn(String what, byte[] firstFrame, String reason)
            throws Exception {
        CellHandle cell = bind(ReceiverOptions.defaults());
        try (GuestClient agent = new GuestClient(cell.socketPath())) {
            agent.send(beat(1));
            sink.await(CapturingSink.type("agent.heartbeat"), 1, PATIENCE);
            try (GuestClient stranger = new GuestClient(cell.socketPath(), null)) {
                // one write: whatever follows the first frame is in the receiver's buffer with it,
                // even a frame that carries the agent's session
                ByteArrayOutputStream stream = new ByteArrayOutputStream();
                stream.writeBytes(firstFrame);
                stream.writeBytes(GuestClient.encodeFirst(FORGED));
                stream.writeBytes(GuestClient.encode(FORGED));
                stranger.raw(stream.toByteArray());
                assertTrue(stranger.awaitClosedByHost(PATIENCE), "the refused connection is closed by the host");
            }
            agent.send(beat(2));
            sink.await(CapturingSink.type("agent.heartbeat"), 2, PATIENCE);
        }
        assertTrue(sink.events().stream().noneMatch(e -> e.at("/data/guest_pid").asLong() == 4_242_424),
                "a frame of the refused connection became an event: " + sink.events());
        List<JsonNode> refused = sink.ofType("channel_refused");
        assertEquals(1, refused.size(), refused.toString());
        JsonNode e = refused.get(0);
        assertEquals("cell.observability.guest.channel_refused", e.get("type").asText());
        assertEquals("r/refused/1", e.get("id").asText());
        assertEquals("urn:cellos:cell:c", e.get("source").asText());
        JsonNode d = e.get("data");
        assertEquals("host", d.get("origin").asText());
        assertEquals(9001, d.get("port").asInt());
        assertEquals(2, d.get("connection").asLong());
        assertEquals(reason, d.get("reason").asText());
        assertEquals("c", d.get("cell_id").asText());
        assertEquals("r", d.get("run_id").asText());
        assertEquals("sha256:ab", d.get("spec_signature_hash").asText());
        assertEquals(PINNED, d.get("session_check").asText());
        assertEquals(d.get("host_received_at").asText(), e.get("time").asText());

        List<String> agentIds = sink.ofType("agent.heartbeat").stream().map(x -> x.get("id").asText()).toList();
        assertEquals(List.of("r/c1/f1", "r/c1/f2"), agentIds, "the agent's connection is unaffected");
        CellStats s = cell.stats();
        assertEquals(1L, s.dropped().get(DropCause.CHANNEL_REFUSED), s.toString());
        assertEquals(2, s.framesEmitted());
        JsonNode report = sink.await(e2 -> e2.get("id").asText().startsWith("r/dropped/")
                && e2.at("/data/host_dropped/channel_refused").asLong() == 1, 1, PATIENCE).get(0);
        assertTrue(report.at("/data/last_rejection").asText().startsWith("port 9001 connection 2 refused: "),
                report.toString());
    }

    @Test
    void aSecondStrangerTakesTheNextRefusalNumber() throws Exception {
        CellHandle cell = bind(ReceiverOptions.defaults());
        try (GuestClient agent = new GuestClient(cell.socketPath())) {
            agent.send(beat(1));
            sink.await(CapturingSink.type("agent.heartbeat"), 1, PATIENCE);
            for (int i = 0; i < 2; i++) {
                try (GuestClient stranger = new GuestClient(cell.socketPath(), null)) {
                    stranger.send(FORGED);
                    assertTrue(stranger.awaitClosedByHost(PATIENCE));
                }
            }
        }
        List<JsonNode> refused = sink.await(CapturingSink.type("channel_refused"), 2, PATIENCE);
        assertEquals(List.of("r/refused/1", "r/refused/2"), refused.stream().map(e -> e.get("id").asText()).toList());
        assertEquals(List.of(2L, 3L), refused.stream().map(e -> e.at("/data/connection").asLong()).toList());
    }

    @Test
    void withoutCompatibilityModeASessionlessAgentIsRefusedAndTheReasonSaysWhy() throws Exception {
        CellHandle cell = bind(ReceiverOptions.defaults());
        try (GuestClient old = new GuestClient(cell.socketPath(), null)) {
            old.send(beat(1));
            assertTrue(old.awaitClosedByHost(PATIENCE));
        }
        JsonNode d = sink.await(CapturingSink.type("channel_refused"), 1, PATIENCE).get(0).get("data");
        assertEquals("no session on its first frame (a CellOS 0.5 agent sends none; this receiver takes one only in "
                + "compatibility mode)", d.get("reason").asText());
        assertEquals(SessionCheck.NOT_PINNED_YET.text(), d.get("session_check").asText());
        assertEquals(0, cell.stats().framesEmitted());
    }

    @Test
    void compatibilityModeAcceptsASessionlessAgentAndSaysSoInEveryEvent() throws Exception {
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        receiver = Receiver.start(ReceiverOptions.defaults().withAcceptSessionlessAgents(true)
                        .withKeepalive(Duration.ofMinutes(5)).withDropReportInterval(Duration.ZERO), sink,
                new PrintStream(warnings, true, StandardCharsets.UTF_8));
        assertTrue(warnings.toString(StandardCharsets.UTF_8).startsWith("cellos: compatibility mode: ")
                && warnings.toString(StandardCharsets.UTF_8).contains(
                        "any process in that guest can send frames that pass as the agent's"), warnings.toString());
        CellHandle cell = receiver.bind(dir.resolve("c"), new CellStamp("c", "r", null));
        try (GuestClient old = new GuestClient(cell.socketPath(), null)) {
            old.send(beat(1)).body(new byte[] {(byte) 0x80}); // and a bad frame: a host-made drop report
        }
        try (GuestClient again = new GuestClient(cell.socketPath(), null)) { // reconnects without a session
            again.send(beat(2));
        }
        try (GuestClient late = new GuestClient(cell.socketPath())) { // a session now pins nothing
            late.send(beat(3));
        }
        sink.await(CapturingSink.type("agent.heartbeat"), 3, PATIENCE);
        sink.await(CapturingSink.type("telemetry.dropped"), 1, PATIENCE);
        cell.close(); // nothing was refused, and every event so far says how the cell was checked
        assertEquals(0, sink.ofType("channel_refused").size(), sink.events().toString());
        for (JsonNode e : sink.events()) {
            assertEquals(SessionCheck.NONE_COMPATIBILITY_MODE.text(), e.at("/data/session_check").asText(), e.toString());
        }
    }

    @Test
    void inCompatibilityModeAnAgentThatSendsASessionIsStillPinned() throws Exception {
        CellHandle cell = bind(ReceiverOptions.defaults().withAcceptSessionlessAgents(true));
        try (GuestClient agent = new GuestClient(cell.socketPath())) {
            agent.send(beat(1));
            sink.await(CapturingSink.type("agent.heartbeat"), 1, PATIENCE); // the agent comes first, as in a guest
            try (GuestClient stranger = new GuestClient(cell.socketPath(), null)) {
                stranger.send(FORGED);
                assertTrue(stranger.awaitClosedByHost(PATIENCE));
            }
        }
        JsonNode refusal = sink.await(CapturingSink.type("channel_refused"), 1, PATIENCE).get(0);
        assertEquals("no session on its first frame (connection 1 pinned the agent's)",
                refusal.at("/data/reason").asText());
        assertEquals(PINNED, sink.ofType("agent.heartbeat").get(0).at("/data/session_check").asText());
        assertTrue(sink.events().stream().noneMatch(e -> e.at("/data/guest_pid").asLong() == 4_242_424));
    }

    @Test
    void beforeAnyConnectionTheCellSaysNothingIsPinnedYet() throws Exception {
        receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMillis(200)), sink, System.err);
        receiver.bind(dir.resolve("c"), new CellStamp("c", "r", null));
        JsonNode silenced = sink.await(CapturingSink.type("agent_silenced"), 1, PATIENCE).get(0);
        assertEquals(SessionCheck.NOT_PINNED_YET.text(), silenced.at("/data/session_check").asText());
    }
}
