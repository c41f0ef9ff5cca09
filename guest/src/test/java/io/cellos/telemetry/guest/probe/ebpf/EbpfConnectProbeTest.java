package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.guest.probe.RecordingOutput;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static io.cellos.telemetry.guest.probe.Connects.IO_URING;
import static io.cellos.telemetry.guest.probe.Connects.PATIENCE;
import static io.cellos.telemetry.guest.probe.Connects.PYTHON;
import static io.cellos.telemetry.guest.probe.Connects.assertDeclared;
import static io.cellos.telemetry.guest.probe.Connects.closedPort;
import static io.cellos.telemetry.guest.probe.Connects.closedUdpPort;
import static io.cellos.telemetry.guest.probe.Connects.python;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The eBPF connect probe against real sockets on loopback and the real kernel (root), in what only
 * it sees: io_uring connects, addressed datagrams, UNIX sockets; and its ring and its links. Each
 * way of reaching a peer is made by a real process and must come out declared with its pid, comm and
 * peer. The connects the audit probe declares too are tested on both in {@code ConnectProbesTest}.
 */
class EbpfConnectProbeTest {

    @Test
    void aConnectThroughIoUringIsDeclared() throws Exception {
        int closed = closedPort();
        try (ProbeHarness h = ProbeHarness.start(new EbpfConnectProbe())) {
            Process p = new ProcessBuilder(PYTHON, IO_URING.toString(), "connect", "4", "127.0.0.1", Integer.toString(closed))
                    .redirectErrorStream(true).start();
            String result = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor(), result);
            assertEquals("-111", result, "IORING_OP_CONNECT ran and was refused (ECONNREFUSED)");
            assertDeclared(h, p.pid(), null, "127.0.0.1:" + closed);
        }
    }

    @Test
    void udpDatagramsAreDeclaredOncePerSocketAndDestination() throws Exception {
        int a = closedUdpPort();
        int b = closedUdpPort();
        try (ProbeHarness h = ProbeHarness.start(new EbpfConnectProbe())) {
            long pid = python("""
                    import socket
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    for i in range(100): s.sendto(b"x", ("127.0.0.1", %d))
                    t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    for i in range(100): t.sendmsg([b"x"], [], 0, ("127.0.0.1", %d))
                    for i in range(100): t.sendto(b"x", ("127.0.0.1", %d))
                    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                    for i in range(100): u.sendto(b"x", ("::1", %d))
                    """.formatted(a, a, b, b));
            // the last connect marks the point by which the datagrams' records were read
            long marker = python("import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(('127.0.0.1', 7))");
            assertDeclared(h, marker, "python3", "127.0.0.1:7");
            List<String> peers = h.events().stream().filter(e -> e.guestPid() == pid).map(e -> e.extensions().peer()).toList();
            assertEquals(List.of("127.0.0.1:" + a, "127.0.0.1:" + a, "127.0.0.1:" + b, "[::1]:" + b), peers,
                    "socket s once to a; socket t (sendmsg) once to a, once to b; socket u once to [::1]:b");
            assertEquals(Set.of("udp"), protocolsOf(h, pid), "datagrams are UDP's");
            assertEquals(Set.of("udp"), protocolsOf(h, marker), "so is a connect of a UDP socket");
        }
    }

    @Test
    void sendmmsgToAnAddressIsDeclared() throws Exception {
        int port = closedUdpPort();
        try (ProbeHarness h = ProbeHarness.start(new EbpfConnectProbe())) {
            // struct mmsghdr[2] by hand: python's socket module has no sendmmsg
            long pid = python("""
                    import ctypes, socket, struct
                    libc = ctypes.CDLL(None, use_errno=True)
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    sa = ctypes.create_string_buffer(struct.pack("<H", 2) + struct.pack(">H", %d) + socket.inet_aton("127.0.0.1") + bytes(8), 16)
                    data = ctypes.create_string_buffer(b"x", 1)
                    iov = ctypes.create_string_buffer(struct.pack("<QQ", ctypes.addressof(data), 1), 16)
                    hdr = struct.pack("<QI4xQQQQi4x", ctypes.addressof(sa), 16, ctypes.addressof(iov), 1, 0, 0, 0)
                    msgs = ctypes.create_string_buffer((hdr + bytes(8)) * 2, 128)
                    n = libc.sendmmsg(s.fileno(), msgs, 2, 0)
                    assert n == 2, (n, ctypes.get_errno())
                    """.formatted(port));
            assertDeclared(h, pid, "python3", "127.0.0.1:" + port);
        }
    }

    @Test
    void unixConnectsAndDatagramsAreDeclaredWithTheirPathOrAbstractName() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("cellos-unix-");
        EbpfConnectProbe probe = new EbpfConnectProbe();
        try (ProbeHarness h = ProbeHarness.start(probe)) {
            assertNull(probe.unixRefused(), "this kernel (6.7+) has the UNIX hooks and bpf_cast_to_kern_ctx");
            long pid = python("""
                    import os, socket
                    d = %s
                    for kind, name in ((socket.SOCK_STREAM, "stream"), (socket.SOCK_SEQPACKET, "seqpacket")):
                        server = socket.socket(socket.AF_UNIX, kind); server.bind(d + "/" + name); server.listen()
                        socket.socket(socket.AF_UNIX, kind).connect(d + "/" + name)
                    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); sink.bind(d + "/dgram")
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                    for i in range(50): s.sendto(b"x", d + "/dgram"); sink.recv(1)  # a queue holds net.unix.max_dgram_qlen
                    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); abstract.bind("\\0cellos-test-%%d" %% os.getpid()); abstract.listen()
                    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect("\\0cellos-test-%%d" %% os.getpid())
                    try: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(d + "/nothing")
                    except FileNotFoundError: pass
                    """.formatted("'" + dir + "'"));
            assertDeclared(h, pid, "python3", "unix:" + dir + "/stream");
            assertDeclared(h, pid, "python3", "unix:" + dir + "/seqpacket");
            assertDeclared(h, pid, "python3", "unix:@cellos-test-" + pid);
            assertDeclared(h, pid, "python3", "unix:" + dir + "/nothing");
            assertDeclared(h, pid, "python3", "unix:" + dir + "/dgram");
            assertEquals(1, h.events().stream().filter(e -> e.guestPid() == pid
                    && ("unix:" + dir + "/dgram").equals(e.extensions().peer())).count(), "50 datagrams, declared once");
            assertEquals(Set.of("unix"), protocolsOf(h, pid));
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void aFullRingIsCountedInTheKernelSoThatDeclaredPlusLostIsEverythingSeen() throws Exception {
        int connects = 500;
        EbpfConnectProbe probe = new EbpfConnectProbe(4096, 1024);
        try (probe) {
            probe.arm();
            // the ring is not read while they are made: a page holds 56 records
            for (int i = 0; i < connects; i++) {
                try (DatagramChannel c = DatagramChannel.open()) {
                    c.connect(new InetSocketAddress("127.0.0.1", 1000 + i));
                }
            }
            RecordingOutput out = new RecordingOutput();
            probe.finish(out, System.nanoTime() + PATIENCE.toNanos());
            long seen = probe.seen();
            assertTrue(out.lost > 0, "the ring overflowed: " + out.events.size() + " declared of " + seen);
            assertTrue(seen >= connects, "at least our " + connects + " connects were seen: " + seen);
            assertEquals(seen, out.events.size() + out.lost, "declared + lost == seen, exactly");
        }
    }

    @Test
    void closingTheProbeDetachesAndUnloadsEverything() throws Exception {
        LoadedPrograms.assertCloseUnloadsWhatArmLoaded(new EbpfConnectProbe(), 4, 4, PATIENCE);
    }

    /** The {@code protocol} keys of the connects {@code pid} was declared making. */
    private static Set<String> protocolsOf(ProbeHarness h, long pid) {
        return h.events().stream().filter(e -> e.guestPid() == pid).map(e -> e.extensions().protocol())
                .collect(java.util.stream.Collectors.toSet());
    }
}
