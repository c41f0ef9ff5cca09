package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.guest.linux.PacketSocket;
import io.cellos.telemetry.guest.linux.PeerAddress;
import io.cellos.telemetry.guest.linux.SockAddr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RawSocketsTest {
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int AF_UNIX = 1;
    private static final int AF_NETLINK = 16;

    @Test
    void rawIpSocketsOfAnyFlagsAndEveryPacketSocketAreDeclaredNothingElse() {
        assertTrue(RawSockets.declared(PeerAddress.AF_INET, SockAddr.SOCK_RAW));
        assertTrue(RawSockets.declared(PeerAddress.AF_INET6, SockAddr.SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC));
        assertTrue(RawSockets.declared(PacketSocket.AF_PACKET, SockAddr.SOCK_DGRAM));
        assertTrue(RawSockets.declared(PacketSocket.AF_PACKET, RawSockets.SOCK_PACKET));
        assertFalse(RawSockets.declared(PeerAddress.AF_INET, SOCK_STREAM));
        assertFalse(RawSockets.declared(PeerAddress.AF_INET6, SockAddr.SOCK_DGRAM));
        assertFalse(RawSockets.declared(AF_NETLINK, SockAddr.SOCK_RAW), "netlink's raw sockets need no privilege");
        assertFalse(RawSockets.declared(AF_UNIX, SockAddr.SOCK_RAW));
        assertFalse(RawSockets.declared(-1, -1), "arguments a record did not give");
    }

    @Test
    void theWordsAreFamilyTypeAndProtocolTheEtherTypeInHostOrder() {
        assertEquals("inet raw 6", RawSockets.describe(PeerAddress.AF_INET, SockAddr.SOCK_RAW, 6));
        assertEquals("inet6 raw 58", RawSockets.describe(PeerAddress.AF_INET6, SockAddr.SOCK_RAW | SOCK_CLOEXEC, 58));
        assertEquals("inet raw 255", RawSockets.describe(PeerAddress.AF_INET, SockAddr.SOCK_RAW, 255));
        assertEquals("packet raw 0x0003", RawSockets.describe(PacketSocket.AF_PACKET, SockAddr.SOCK_RAW, 0x0300));
        assertEquals("packet dgram 0x0800", RawSockets.describe(PacketSocket.AF_PACKET, SockAddr.SOCK_DGRAM, 0x0008));
        assertEquals("packet packet 0x0000", RawSockets.describe(PacketSocket.AF_PACKET, RawSockets.SOCK_PACKET, 0));
        assertEquals("packet type5 0x88cc", RawSockets.describe(PacketSocket.AF_PACKET, 5, 0xcc88));
        assertEquals("inet raw", RawSockets.describe(PeerAddress.AF_INET));
        assertEquals("inet6 raw", RawSockets.describe(PeerAddress.AF_INET6));
        assertEquals("packet", RawSockets.describe(PacketSocket.AF_PACKET));
    }

    @Test
    void aSocketThatIsNotDeclaredCannotBeDescribed() {
        assertThrows(IllegalArgumentException.class, () -> RawSockets.describe(AF_NETLINK, SockAddr.SOCK_RAW, 0));
        assertThrows(IllegalArgumentException.class, () -> RawSockets.describe(AF_UNIX));
    }
}
