package io.cellos.telemetry.host.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.wire.WaitStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.cellos.telemetry.host.receiver.ReceiverTest.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exit-code channel: only the boot's first connection is init's, every other is refused unread
 * and declared into the cell; a malformed report is refused; the socket path is claimed as the
 * receiver's is (a dead listener's file is replaced, a live one is never touched).
 */
class ExitChannelTest {
    @TempDir
    Path dir;
    CapturingSink sink = new CapturingSink();
    Receiver receiver;
    CellHandle cell;

    @BeforeEach
    void start() throws IOException {
        receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5))
                .withDropReportInterval(Duration.ZERO), sink, System.err);
        cell = receiver.bind(dir.resolve("cell.vsock"), new CellStamp("c", "r", null));
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void theFirstConnectionIsInitsAndALaterOneIsRefusedEvenIfItReportsFirst() throws Exception {
        try (ExitChannel exits = cell.bindExitChannel();
             SocketChannel init = connect(exits.socketPath())) { // before the workload starts, as init does
            try (SocketChannel intruder = connect(exits.socketPath())) {
                intruder.write(status(42 << 8));
            } catch (IOException refusedFirst) {
                // the host may refuse and close it before the write: the intruder then sees EPIPE
            }
            JsonNode refusal = sink.await(CapturingSink.type("channel_refused"), 1, PATIENCE).get(0);
            JsonNode d = refusal.get("data");
            assertEquals("host", d.get("origin").asText());
            assertEquals(9000, d.get("port").asInt());
            assertEquals(2, d.get("connection").asLong());
            assertEquals("not init's (init's is the boot's first connection to this port)", d.get("reason").asText());
            assertEquals("r/refused/1", refusal.get("id").asText());
            assertEquals(SessionCheck.NOT_PINNED_YET.text(), d.get("session_check").asText());
            assertTrue(exits.await(Duration.ZERO).isEmpty(), "a status was taken from the intruder");

            init.write(status(7 << 8));
            init.close();
            assertEquals(7, exits.await(PATIENCE).orElseThrow().shellStatus());
        }
        assertEquals(1L, cell.stats().dropped().get(DropCause.CHANNEL_REFUSED));
        assertEquals(1, sink.ofType("channel_refused").size(), sink.events().toString());
    }

    @Test
    void initsReportOfTheWrongLengthIsRefusedAndDeclared() throws Exception {
        try (ExitChannel exits = cell.bindExitChannel()) {
            try (SocketChannel init = connect(exits.socketPath())) {
                init.write(ByteBuffer.wrap(new byte[] {0, 42, 0}));
            }
            JsonNode d = sink.await(CapturingSink.type("channel_refused"), 1, PATIENCE).get(0).get("data");
            assertEquals(9000, d.get("port").asInt());
            assertEquals(1, d.get("connection").asLong());
            assertEquals("init's report is only 3 of 4 bytes, so no status is taken from it", d.get("reason").asText());
            assertTrue(exits.await(Duration.ZERO).isEmpty());
        }
    }

    @Test
    void refusalsOfBothPortsAreNumberedTogetherInTheCell() throws Exception {
        try (ExitChannel exits = cell.bindExitChannel();
             SocketChannel init = connect(exits.socketPath());
             GuestClient agent = new GuestClient(cell.socketPath())) {
            agent.send(HostileInputTest.GOOD);
            sink.await(CapturingSink.type("process.spawned"), 1, PATIENCE);
            try (GuestClient stranger = new GuestClient(cell.socketPath(), null)) {
                stranger.send(HostileInputTest.GOOD);
                assertTrue(stranger.awaitClosedByHost(PATIENCE));
            }
            sink.await(CapturingSink.type("channel_refused"), 1, PATIENCE);
            connect(exits.socketPath()).close();
            List<JsonNode> refused = sink.await(CapturingSink.type("channel_refused"), 2, PATIENCE);
            assertEquals(List.of("r/refused/1", "r/refused/2"), refused.stream().map(e -> e.get("id").asText()).toList());
            assertEquals(List.of(9001, 9000), refused.stream().map(e -> e.at("/data/port").asInt()).toList());
            assertEquals(SessionCheck.PINNED.text(), refused.get(1).at("/data/session_check").asText());
            init.write(status(0)); // init's report: its connection ends without a refusal
        }
        assertEquals(2L, cell.stats().dropped().get(DropCause.CHANNEL_REFUSED));
    }

    @Test
    void aSocketFileLeftByADeadListenerIsReplaced() throws Exception {
        Path path = Receiver.listenerPath(dir.resolve("cell.vsock"), 9000);
        ForeignListener.at(path).close();
        assertTrue(Files.exists(path), "closing a listener leaves its socket file, as a kill -9 does");
        try (ExitChannel exits = cell.bindExitChannel()) {
            report(exits.socketPath(), 42 << 8);
            assertEquals(42, exits.await(PATIENCE).orElseThrow().shellStatus());
        }
    }

    @Test
    void aLiveListenerIsRefusedWithoutAConnection() throws Exception {
        try (ExitChannel live = cell.bindExitChannel()) {
            IOException e = assertThrows(IOException.class, () -> cell.bindExitChannel());
            assertTrue(e.getMessage().contains("cannot bind the exit-code channel " + live.socketPath()
                    + ": another listener is serving it"), e.getMessage());
            report(live.socketPath(), 7 << 8);
            // had the refused bind connected, that would have been connection 1 and this report refused
            WaitStatus s = live.await(PATIENCE).orElseThrow();
            assertEquals(7, s.shellStatus());
        }
        assertFalse(cell.stats().dropped().containsKey(DropCause.CHANNEL_REFUSED), cell.stats().toString());
    }

    @Test
    void aFileThatIsNotASocketIsNeverReplaced() throws Exception {
        Path path = Receiver.listenerPath(dir.resolve("cell.vsock"), 9000);
        Files.writeString(path, "evidence");
        IOException e = assertThrows(IOException.class, () -> cell.bindExitChannel());
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("evidence", Files.readString(path));
    }

    private static SocketChannel connect(Path socket) throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    private static ByteBuffer status(int waitStatus) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, waitStatus);
    }

    /** Sends a wait status as init does: 4 bytes, little-endian, then the end of the connection. */
    private static void report(Path socket, int waitStatus) throws IOException {
        try (SocketChannel c = connect(socket)) {
            c.write(status(waitStatus));
        }
    }
}
