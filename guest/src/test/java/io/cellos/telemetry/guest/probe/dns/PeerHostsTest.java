package io.cellos.telemetry.guest.probe.dns;

import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The table of names resolved to addresses: keys as peers write them, TTLs, the bound, the event. */
class PeerHostsTest {
    private static final long S = 1_000_000_000L;
    private static final byte[] V4 = {(byte) 192, 0, 2, 7};
    private static final byte[] V6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    @Test
    void aPeerFindsItsAddressWhateverThePortScopeOrMapping() {
        PeerHosts h = new PeerHosts();
        h.learn(V4, 0, 4, "v4.test", 60, 0);
        h.learn(V6, 0, 16, "v6.test", 60, 0);
        assertEquals("v4.test", h.hostOf("192.0.2.7:443", 1));
        assertEquals("v4.test", h.hostOf("192.0.2.7:53", 1), "the port is ignored");
        assertEquals("v6.test", h.hostOf("[2001:db8::1]:443", 1));
        assertEquals("v6.test", h.hostOf("[2001:db8::1%3]:443", 1), "the scope is ignored");
        assertNull(h.hostOf("192.0.2.8:443", 1));
        assertNull(h.hostOf("unix:/run/x.sock", 1));
        assertNull(h.hostOf("unix:@192.0.2.7:1", 1));
        assertNull(h.hostOf(null, 1));
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
        h.learn(mapped, 0, 16, "mapped.test", 60, 0);
        assertEquals("mapped.test", h.hostOf("10.1.2.3:80", 1), "an IPv4-mapped answer is the IPv4 address");
    }

    @Test
    void anEntryLastsItsTtlWithinItsBoundsAndTheLastAnswerWins() {
        PeerHosts h = new PeerHosts();
        h.learn(V4, 0, 4, "a.test", 10, 0);
        assertEquals("a.test", h.hostOf("192.0.2.7:1", 10 * S - 1));
        assertNull(h.hostOf("192.0.2.7:1", 10 * S));
        h.learn(V4, 0, 4, "zero.test", 0, 0);
        assertEquals("zero.test", h.hostOf("192.0.2.7:1", S - 1), "a TTL of 0 still names the connect that follows");
        assertNull(h.hostOf("192.0.2.7:1", S));
        h.learn(V4, 0, 4, "long.test", Integer.MAX_VALUE, 0);
        assertNull(h.hostOf("192.0.2.7:1", PeerHosts.MAX_TTL_SECONDS * S), "capped");
        h.learn(V4, 0, 4, "first.test", 60, 0);
        h.learn(V4, 0, 4, "second.test", 60, 0);
        assertEquals("second.test", h.hostOf("192.0.2.7:1", 1));
    }

    @Test
    void theTableForgetsTheLeastRecentlyUsed() {
        PeerHosts h = new PeerHosts(3);
        for (int i = 1; i <= 3; i++) {
            h.learn(new byte[]{10, 0, 0, (byte) i}, 0, 4, "n" + i, 60, 0);
        }
        assertEquals("n1", h.hostOf("10.0.0.1:1", 1)); // used: 2 is now the least recent
        h.learn(new byte[]{10, 0, 0, 4}, 0, 4, "n4", 60, 0);
        assertEquals(3, h.size());
        assertEquals(1, h.forgotten());
        assertNull(h.hostOf("10.0.0.2:1", 1));
        assertEquals("n1", h.hostOf("10.0.0.1:1", 1));
    }

    @Test
    void onlyAConnectWithoutAHostIsGivenOne() {
        PeerHosts h = new PeerHosts();
        h.learn(V4, 0, 4, "a.test", 60, 0);
        ProbeEvent connect = new ProbeEvent(Wire.VERSION_1_1, ProbeSource.NET_CONNECT_ATTEMPTED, 7, "curl", 5,
                Extensions.NONE.withPeer("192.0.2.7:443"));
        assertEquals(connect.extensions().withHost("a.test"), h.withHost(connect, 1).extensions());
        ProbeEvent named = connect.withExtensions(connect.extensions().withHost("given.test"));
        assertSame(named, h.withHost(named, 1));
        ProbeEvent exec = new ProbeEvent(Wire.VERSION_1_1, ProbeSource.PROCESS_EXEC, 7, "curl", 5,
                Extensions.NONE.withPath("192.0.2.7:443"));
        assertSame(exec, h.withHost(exec, 1));
        ProbeEvent elsewhere = connect.withExtensions(Extensions.NONE.withPeer("192.0.2.9:443"));
        assertSame(elsewhere, h.withHost(elsewhere, 1));
        ProbeEvent late = new ProbeEvent(Wire.VERSION_1_1, ProbeSource.NET_CONNECT_ATTEMPTED, 7, "curl", 61 * S,
                Extensions.NONE.withPeer("192.0.2.7:443"));
        assertSame(late, h.withHost(late), "judged at the connect's own time: after the TTL");
        assertEquals("a.test", h.withHost(connect).extensions().host(), "judged at the connect's own time: within it");
    }
}
