package io.cellos.telemetry.guest.probe.dns;

import io.cellos.telemetry.guest.probe.RecordingOutput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DNS answers probe on real packet sockets (root), against a tiny DNS server of its own on
 * {@code 127.0.0.77:53} and {@code [::1]:53} ({@link DnsFixture}): loopback only, nothing
 * leaves the machine. The probe is driven from the test's thread, as the agent's loop would.
 */
class DnsAnswersProbeTest {
    private static final String SERVER = DnsFixture.SERVER;
    private static final String SERVER6 = DnsFixture.SERVER6;
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final List<Process> servers = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        servers.add(DnsFixture.serve(SERVER));
        servers.add(DnsFixture.serve(SERVER6));
    }

    @AfterAll
    static void stopServers() throws InterruptedException {
        for (Process p : servers) {
            p.destroy();
            p.waitFor();
        }
    }

    private static String fixture(String... args) throws IOException, InterruptedException {
        return DnsFixture.run(args);
    }

    /** Reads the probe until {@code done} holds of its counts. */
    static DnsAnswersProbe.Counts await(DnsAnswersProbe probe, Predicate<DnsAnswersProbe.Counts> done)
            throws IOException, InterruptedException {
        RecordingOutput out = new RecordingOutput();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            probe.onReadable(out);
            DnsAnswersProbe.Counts c = probe.counts();
            if (done.test(c)) {
                assertTrue(out.events.isEmpty(), "the probe emits nothing of its own: " + out.events);
                return c;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + PATIENCE + "; counts " + c);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void anAnswerOnLoopbackIsCountedOnceAndNamesItsAddressByTheQuestion() throws Exception {
        PeerHosts hosts = new PeerHosts();
        try (DnsAnswersProbe probe = armed(hosts)) {
            assertEquals("127.0.0.89", fixture("query", SERVER, "a.test.cellos", "A"));
            DnsAnswersProbe.Counts c = await(probe, x -> x.answers() >= 1);
            Thread.sleep(200); // a second copy (the answer leaving lo) would be here by now
            c = await(probe, x -> true);
            assertEquals(1, c.answers(), "seen once, though lo shows it leaving and arriving: " + c);
            assertEquals(1, c.learnt());
            assertEquals("a.test.cellos", hosts.hostOf("127.0.0.89:443", System.nanoTime()));
        }
    }

    @Test
    void aCnameChainGivesTheAddressTheQuestionsName() throws Exception {
        PeerHosts hosts = new PeerHosts();
        try (DnsAnswersProbe probe = armed(hosts)) {
            assertEquals("127.0.0.88", fixture("query", SERVER, "WWW.Test.Cellos", "A"));
            await(probe, x -> x.learnt() >= 1);
            assertEquals("www.test.cellos", hosts.hostOf("127.0.0.88:80", System.nanoTime()),
                    "the name asked (lower case), not the CDN name it is an alias of");
        }
    }

    @Test
    void answersOverIpv6AndOverTcpAreRead() throws Exception {
        PeerHosts hosts = new PeerHosts();
        try (DnsAnswersProbe probe = armed(hosts)) {
            assertEquals("::1", fixture("query", SERVER6, "a.test.cellos", "AAAA"));
            await(probe, x -> x.learnt() >= 1);
            assertEquals("a.test.cellos", hosts.hostOf("[::1]:22", System.nanoTime()), "UDP over IPv6");
            assertEquals("127.0.0.88", fixture("query", SERVER, "www.test.cellos", "A", "--tcp"));
            await(probe, x -> x.learnt() >= 2);
            assertEquals("www.test.cellos", hosts.hostOf("127.0.0.88:22", System.nanoTime()), "TCP over IPv4");
            assertEquals("::1", fixture("query", SERVER6, "www.test.cellos", "AAAA", "--tcp"));
            await(probe, x -> x.learnt() >= 3);
            assertEquals("www.test.cellos", hosts.hostOf("[::1]:22", System.nanoTime()),
                    "TCP over IPv6; the last name resolved to an address wins");
            assertEquals(0, probe.counts().refused(), probe.counts().toString());
        }
    }

    @Test
    void anEntryExpiresWithItsTtl() throws Exception {
        PeerHosts hosts = new PeerHosts();
        try (DnsAnswersProbe probe = armed(hosts)) {
            assertEquals("127.0.0.90", fixture("query", SERVER, "short.test.cellos", "A"));
            await(probe, x -> x.learnt() >= 1);
            assertEquals("short.test.cellos", hosts.hostOf("127.0.0.90:1", System.nanoTime()));
            Thread.sleep(2000);
            assertNull(hosts.hostOf("127.0.0.90:1", System.nanoTime()), "a TTL of 1 s is over 2 s later");
        }
    }

    @Test
    void hostileAnswersAreRefusedAndCountedAndLaterAnswersStillRead() throws Exception {
        PeerHosts hosts = new PeerHosts();
        try (DnsAnswersProbe probe = armed(hosts)) {
            for (String bad : List.of("bad-trunc", "bad-loop", "bad-count", "bad-forward")) {
                fixture("query", SERVER, bad + ".test.cellos", "A");
            }
            DnsAnswersProbe.Counts c = await(probe, x -> x.refused() >= 4);
            assertEquals(4, c.refused(), c.toString());
            assertEquals(0, c.learnt(), "nothing of a refused message is learnt: " + c);
            for (String peer : List.of("127.0.0.91:1", "127.0.0.92:1", "127.0.0.93:1", "127.0.0.94:1")) {
                assertNull(hosts.hostOf(peer, System.nanoTime()), peer);
            }
            assertEquals("127.0.0.89", fixture("query", SERVER, "a.test.cellos", "A"));
            await(probe, x -> x.learnt() >= 1);
            assertEquals("a.test.cellos", hosts.hostOf("127.0.0.89:1", System.nanoTime()));
        }
    }

    @Test
    void aFloodOfAnswersStaysWithinTheTable() throws Exception {
        PeerHosts hosts = new PeerHosts(); // 4,096 addresses
        int n = 10_000;
        try (DnsAnswersProbe probe = armed(hosts)) {
            Process flood = DnsFixture.start("flood", SERVER, String.valueOf(n));
            RecordingOutput out = new RecordingOutput();
            while (flood.isAlive()) { // read as the agent would, while the answers come
                probe.onReadable(out);
                Thread.sleep(1);
            }
            assertEquals(0, flood.waitFor());
            DnsAnswersProbe.Counts c = await(probe, x -> x.learnt() + x.kernelDrops() >= n);
            assertTrue(hosts.size() <= PeerHosts.CAPACITY, "at most " + PeerHosts.CAPACITY + ": " + hosts.size());
            assertTrue(hosts.forgotten() >= c.learnt() - PeerHosts.CAPACITY, c + ", forgotten " + hosts.forgotten());
            int last = n - 1;
            assertEquals("flood-" + last + ".test.cellos",
                    hosts.hostOf("10." + (last >> 16) + "." + (last >> 8 & 255) + "." + (last & 255) + ":80",
                            System.nanoTime()), "the newest is kept");
            assertNull(hosts.hostOf("10.0.0.0:80", System.nanoTime()), "the oldest is forgotten");
        }
    }

    private static DnsAnswersProbe armed(PeerHosts hosts) throws IOException {
        return io.cellos.telemetry.guest.probe.Probe.armed(new DnsAnswersProbe(hosts));
    }
}
