package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Peer text from raw socket addresses, built here as the kernel lays them out. */
class PeerAddressTest {
    @Test
    void anIpv4AddressIsAddressColonPort() throws Exception {
        assertEquals("127.0.0.1:8080", peer(inet("127.0.0.1", 8080)));
        assertEquals("255.255.255.255:65535", peer(inet("255.255.255.255", 65535)));
    }

    @ParameterizedTest
    @CsvSource({
            "::1, [::1]:443",
            "::, [::]:443",
            "2001:db8::1, [2001:db8::1]:443",
            "2001:0db8:0000:0000:0001:0000:0000:0001, [2001:db8::1:0:0:1]:443",
            "2001:db8:0:1:1:1:1:1, [2001:db8:0:1:1:1:1:1]:443",
            "1::, [1::]:443",
            "fe80:0:0:0:0:0:0:abcd, [fe80::abcd]:443",
            "2001:db8:0:0:1:0:0:0, [2001:db8:0:0:1::]:443",
    })
    void anIpv6AddressIsInRfc5952FormInBrackets(String address, String expected) throws Exception {
        assertEquals(expected, peer(inet6(address, 443, 0)));
    }

    @Test
    void aScopedIpv6AddressCarriesItsScope() throws Exception {
        assertEquals("[fe80::1%2]:22", peer(inet6("fe80::1", 22, 2)));
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4AddressItMaps() throws Exception {
        assertEquals("127.0.0.1:80", peer(inet6("::ffff:127.0.0.1", 80, 0)));
    }

    @Test
    void otherFamiliesAndShortAddressesAreNoPeer() throws Exception {
        byte[] unix = new byte[110];
        unix[0] = 1;
        assertFalse(PeerAddress.append(unix, unix.length, new StringBuilder()));
        byte[] in = inet("10.0.0.1", 1);
        StringBuilder out = new StringBuilder();
        assertFalse(PeerAddress.append(in, 8, out));
        assertEquals("", out.toString());
        assertFalse(PeerAddress.append(inet6("::1", 1, 0), 24, out));
        assertFalse(PeerAddress.append(new byte[0], 0, out));
    }

    private static String peer(byte[] sa) {
        StringBuilder out = new StringBuilder();
        assertTrue(PeerAddress.append(sa, sa.length, out));
        return out.toString();
    }

    /** {@code struct sockaddr_in}: family (host order), port (network order), address, 8 zero bytes. */
    private static byte[] inet(String address, int port) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) PeerAddress.AF_INET);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).put(InetAddress.getByName(address).getAddress());
        return b.array();
    }

    /** {@code struct sockaddr_in6}: family, port, flow info, 16-byte address, scope id (host order). */
    private static byte[] inet6(String address, int port, int scope) throws Exception {
        byte[] addr = InetAddress.getByName(address).getAddress();
        if (addr.length == 4) {
            // the JDK turns ::ffff:a.b.c.d into an Inet4Address; lay out the mapped form by hand
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(addr, 0, mapped, 12, 4);
            addr = mapped;
        }
        ByteBuffer b = ByteBuffer.allocate(28);
        b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) PeerAddress.AF_INET6);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(0).put(addr);
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(scope);
        return b.array();
    }
}
