package io.cellos.telemetry.guest.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The channel's lifecycle over a real UNIX socket: a disconnect ends one connection and the next
 * connect opens another (the agent's reconnect); close releases the socket and the native memory.
 */
class ChannelTest {
    @TempDir
    Path dir;

    @Test
    void aDisconnectedChannelConnectsAgainAndAClosedOneIsDoneWith() throws Exception {
        Path socket = dir.resolve("host.vsock_9001");
        try (ServerSocketChannel host = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            host.bind(UnixDomainSocketAddress.of(socket));
            Channel channel = new Channel(TransportAddress.parse("unix:" + socket));
            assertTrue(channel.connect(), "a UNIX socket with a listener connects at once");
            try (SocketChannel first = host.accept()) {
                assertNotNull(first);
            }
            channel.disconnect();
            assertFalse(channel.isOpen());
            assertTrue(channel.connect(), "the channel outlives its connections");
            try (SocketChannel second = host.accept()) {
                assertNotNull(second);
                assertTrue(channel.isConnected());
            }
            channel.close();
            assertFalse(channel.isOpen());
            channel.close(); // idempotent
            assertThrows(IllegalStateException.class, channel::connect, "its native memory is released");
        }
    }
}
