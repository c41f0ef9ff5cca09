package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.probe.dns.DnsAnswersProbe;
import io.cellos.telemetry.guest.probe.dns.DnsFixture;
import io.cellos.telemetry.guest.probe.dns.PeerHosts;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole agent (its real probe set, root) under each probe mechanism: a program resolves a
 * name with the loopback test DNS server ({@link DnsFixture}) and connects to the address it got;
 * the host receives the connect with the name as {@code host}. A connect after the answer's TTL
 * has none. Loopback only.
 */
class DnsHostAgentTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @ParameterizedTest
    @ValueSource(strings = {"bpf", "audit"})
    void aConnectToAResolvedAddressCarriesTheNameAskedUnderEachMechanism(String mechanism) throws Exception {
        Path dir = Files.createTempDirectory("dns-host");
        Path socket = dir.resolve("host.vsock_9001");
        List<Process> servers = List.of(DnsFixture.serve(DnsFixture.SERVER), DnsFixture.serve(DnsFixture.SERVER6));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ServerSocketChannel host = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             ServerSocket v4 = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.88"));
             ServerSocket v6 = new ServerSocket(0, 8, InetAddress.getByName("::1"))) {
            host.bind(UnixDomainSocketAddress.of(socket));
            AgentOptions o = AgentOptions.parse(List.of("--probe-mechanism", mechanism, "--transport", "unix:" + socket),
                    Map.of());
            AgentThread running = AgentThread.start(() -> {
                PeerHosts hosts = new PeerHosts();
                ProbeSet.Armed armed = ProbeSet.arm(o, hosts, ProbeSet.startReading(o));
                assertTrue(armed.probes().stream().anyMatch(p -> p instanceof DnsAnswersProbe), armed.on().toString());
                return new Agent(new Channel(o.transport()), armed.probes(), armed.window(), new EventQueue(65_536, hosts),
                        ProcessScope.everything(), OomGuard.NONE, Duration.ofMinutes(1).toNanos(), 4242, "test-agent",
                        new PrintStream(log, true));
            });
            try (SocketChannel conn = host.accept()) {
                FrameStream in = new FrameStream(conn);
                List<ProbeEvent> connects = new ArrayList<>();
                int p4 = v4.getLocalPort();
                int p6 = v6.getLocalPort();
                int shortPort = p4 + 1 == p6 ? p4 + 2 : p4 + 1; // nothing listens there: refused, attempted all the same
                assertEquals("127.0.0.88", DnsFixture.run("query", DnsFixture.SERVER, "www.test.cellos", "A",
                        "--connect", String.valueOf(p4)));
                assertEquals("::1", DnsFixture.run("query", DnsFixture.SERVER6, "a.test.cellos", "AAAA",
                        "--connect", String.valueOf(p6)));
                assertEquals("127.0.0.90", DnsFixture.run("query", DnsFixture.SERVER, "short.test.cellos", "A",
                        "--connect", String.valueOf(shortPort), "--sleep", "2"));
                ProbeEvent www = awaitConnect(in, connects, "127.0.0.88:" + p4);
                ProbeEvent a = awaitConnect(in, connects, "[::1]:" + p6);
                ProbeEvent expired = awaitConnect(in, connects, "127.0.0.90:" + shortPort);
                assertEquals("www.test.cellos", www.extensions().host(), www + " (" + mechanism + ")");
                assertEquals("a.test.cellos", a.extensions().host(), a + " (" + mechanism + ")");
                assertNull(expired.extensions().host(), "a TTL of 1 s is over 2 s later: " + expired);
            } finally {
                running.agent.stop();
                running.thread.join();
                if (running.failure() != null) {
                    throw new AssertionError("the agent's loop failed", running.failure());
                }
            }
        } finally {
            for (Process p : servers) {
                p.destroy();
                p.waitFor();
            }
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
        assertTrue(!log.toString().contains("unrecoverable"), log.toString());
    }

    /** Reads frames until a connect to {@code peer} has come; every connect read goes to {@code seen}. */
    private static ProbeEvent awaitConnect(FrameStream in, List<ProbeEvent> seen, String peer) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            for (ProbeEvent e : in.poll()) {
                if (e.source() == ProbeSource.NET_CONNECT_ATTEMPTED) {
                    seen.add(e);
                }
            }
            for (ProbeEvent e : seen) {
                if (peer.equals(e.extensions().peer())) {
                    return e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + PATIENCE + " for a connect to " + peer + "; connects: " + seen);
            }
            Thread.sleep(5);
        }
    }
}
