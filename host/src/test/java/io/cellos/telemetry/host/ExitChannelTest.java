package io.cellos.telemetry.host;

import io.cellos.telemetry.wire.WaitStatus;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exit-code channel's socket path: a dead listener's file is replaced, a live one is never touched. */
class ExitChannelTest {
    @TempDir
    Path dir;

    @Test
    void aSocketFileLeftByADeadListenerIsReplaced() throws Exception {
        Path base = dir.resolve("cell.vsock");
        Path path = Receiver.listenerPath(base, 9000);
        ForeignListener.at(path).close();
        assertTrue(Files.exists(path), "closing a listener leaves its socket file, as a kill -9 does");
        try (ExitChannel exits = ExitChannel.bind(base)) {
            report(exits.socketPath(), 42 << 8);
            assertEquals(42, exits.await(Duration.ofSeconds(20)).orElseThrow().shellStatus());
        }
    }

    @Test
    void aLiveListenerIsRefusedWithoutAConnection() throws Exception {
        Path base = dir.resolve("cell.vsock");
        try (ExitChannel live = ExitChannel.bind(base)) {
            IOException e = assertThrows(IOException.class, () -> ExitChannel.bind(base));
            assertTrue(e.getMessage().contains("cannot bind the exit-code channel " + live.socketPath()
                    + ": another listener is serving it"), e.getMessage());
            report(live.socketPath(), 7 << 8);
            WaitStatus s = live.await(Duration.ofSeconds(20)).orElseThrow();
            assertEquals(7, s.shellStatus());
            assertEquals(0, live.refused(), "the refused bind connected to the live channel: " + live.lastRefusal());
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverReplaced() throws Exception {
        Path base = dir.resolve("cell.vsock");
        Files.writeString(Receiver.listenerPath(base, 9000), "evidence");
        IOException e = assertThrows(IOException.class, () -> ExitChannel.bind(base));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("evidence", Files.readString(Receiver.listenerPath(base, 9000)));
    }

    /** Sends a wait status as init does: 4 bytes, little-endian, then the end of the connection. */
    private static void report(Path socket, int waitStatus) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, waitStatus));
        }
    }
}
