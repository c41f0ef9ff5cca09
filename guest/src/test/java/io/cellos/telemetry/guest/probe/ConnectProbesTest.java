package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.guest.probe.audit.AuditProbe;
import io.cellos.telemetry.guest.probe.ebpf.EbpfConnectProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.cellos.telemetry.guest.probe.Connects.assertDeclared;
import static io.cellos.telemetry.guest.probe.Connects.closedPort;
import static io.cellos.telemetry.guest.probe.Connects.python;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The connects both mechanisms declare, each made by a real process against loopback and the real
 * kernel (root), with its pid, comm and peer: the eBPF connect probe and the audit probe run the
 * same cases. What only eBPF sees (io_uring, addressed datagrams, UNIX sockets) and the protocol
 * it names are tested in {@code EbpfConnectProbeTest}.
 */
class ConnectProbesTest {
    static Stream<Arguments> mechanisms() {
        return Stream.of(Arguments.of("bpf", (Supplier<Probe>) EbpfConnectProbe::new),
                Arguments.of("audit", (Supplier<Probe>) AuditProbe::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mechanisms")
    void tcpConnectsOverIpv4AndIpv6AreDeclaredEvenWhenRefused(String name, Supplier<Probe> probe) throws Exception {
        int closed = closedPort();
        try (ProbeHarness h = ProbeHarness.start(probe.get())) {
            long v4 = python("""
                    import socket
                    try: socket.create_connection(("127.0.0.1", %d))
                    except ConnectionRefusedError: pass
                    """.formatted(closed));
            long v6 = python("""
                    import socket
                    s = socket.socket(socket.AF_INET6)
                    try: s.connect(("::1", %d))
                    except ConnectionRefusedError: pass
                    """.formatted(closed));
            assertDeclared(h, v4, "python3", "127.0.0.1:" + closed);
            assertDeclared(h, v6, "python3", "[::1]:" + closed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mechanisms")
    void anIpv4MappedConnectOfAnIpv6SocketIsDeclaredAsTheIpv4Address(String name, Supplier<Probe> probe)
            throws Exception {
        int closed = closedPort();
        try (ProbeHarness h = ProbeHarness.start(probe.get())) {
            long pid = python("""
                    import socket
                    s = socket.socket(socket.AF_INET6)
                    try: s.connect(("::ffff:127.0.0.1", %d))
                    except ConnectionRefusedError: pass
                    """.formatted(closed));
            assertDeclared(h, pid, "python3", "127.0.0.1:" + closed);
        }
    }

    /**
     * A TCP Fast Open connects through a send, {@code sendto}, {@code sendmsg} or {@code sendmmsg}
     * with {@code MSG_FASTOPEN} (the last through libc, which Python does not wrap): declared by
     * both, and as TCP where the mechanism says the protocol (audit's records do not).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mechanisms")
    void tcpFastOpenSendsAreDeclared(String name, Supplier<Probe> probe) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket a = new ServerSocket(0, 1, loopback); ServerSocket b = new ServerSocket(0, 1, loopback);
             ServerSocket c = new ServerSocket(0, 1, loopback); ProbeHarness h = ProbeHarness.start(probe.get())) {
            long pid = python("""
                    import ctypes, socket
                    socket.socket().sendto(b"hello", socket.MSG_FASTOPEN, ("127.0.0.1", %d))
                    socket.socket().sendmsg([b"hello"], [], socket.MSG_FASTOPEN, ("127.0.0.1", %d))
                    class Iovec(ctypes.Structure):
                        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
                    class Msghdr(ctypes.Structure):
                        _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                                    ("iov", ctypes.POINTER(Iovec)), ("iovlen", ctypes.c_size_t),
                                    ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t), ("flags", ctypes.c_int)]
                    class Mmsghdr(ctypes.Structure):
                        _fields_ = [("hdr", Msghdr), ("len", ctypes.c_uint)]
                    to = ctypes.create_string_buffer(socket.AF_INET.to_bytes(2, "little") + (%d).to_bytes(2, "big")
                                                     + socket.inet_aton("127.0.0.1") + bytes(8))
                    data = ctypes.create_string_buffer(b"hello")
                    iov = Iovec(ctypes.cast(data, ctypes.c_void_p), 5)
                    m = Mmsghdr(Msghdr(ctypes.cast(to, ctypes.c_void_p), 16, ctypes.pointer(iov), 1, None, 0, 0), 0)
                    s = socket.socket()
                    libc = ctypes.CDLL(None, use_errno=True)
                    assert libc.sendmmsg(s.fileno(), ctypes.byref(m), 1, socket.MSG_FASTOPEN) == 1, ctypes.get_errno()
                    """.formatted(a.getLocalPort(), b.getLocalPort(), c.getLocalPort()));
            assertDeclared(h, pid, "python3", "127.0.0.1:" + a.getLocalPort());
            assertDeclared(h, pid, "python3", "127.0.0.1:" + b.getLocalPort());
            assertDeclared(h, pid, "python3", "127.0.0.1:" + c.getLocalPort());
            List<String> protocols = h.events().stream().filter(e -> e.guestPid() == pid)
                    .map(e -> e.extensions().protocol()).distinct().toList();
            assertEquals(name.equals("bpf") ? List.of("tcp") : Arrays.asList((String) null), protocols);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mechanisms")
    void udpConnectsAreDeclared(String name, Supplier<Probe> probe) throws Exception {
        try (ProbeHarness h = ProbeHarness.start(probe.get())) {
            long pid = python("""
                    import socket
                    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(("127.0.0.1", 53))
                    socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).connect(("::1", 53))
                    """);
            assertDeclared(h, pid, "python3", "127.0.0.1:53");
            assertDeclared(h, pid, "python3", "[::1]:53");
        }
    }

    /** A thread of a process connects: the process is declared, named as the thread named itself. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mechanisms")
    void aConnectFromAThreadIsDeclaredWithItsProcessAndTheThreadsName(String name, Supplier<Probe> probe)
            throws Exception {
        int closed = closedPort();
        try (ProbeHarness h = ProbeHarness.start(probe.get())) {
            long pid = python("""
                    import ctypes, socket, threading
                    def connect():
                        ctypes.CDLL(None).prctl(15, b"conn-thread", 0, 0, 0)  # PR_SET_NAME: this thread only
                        try: socket.create_connection(("127.0.0.1", %d))
                        except ConnectionRefusedError: pass
                    t = threading.Thread(target=connect); t.start(); t.join()
                    """.formatted(closed));
            assertDeclared(h, pid, "conn-thread", "127.0.0.1:" + closed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mechanisms")
    void aProcessThatConnectsAndExitsAtOnceIsDeclared(String name, Supplier<Probe> probe) throws Exception {
        int closed = closedPort();
        try (ProbeHarness h = ProbeHarness.start(probe.get())) {
            Process p = new ProcessBuilder("/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + closed).start();
            p.waitFor();
            assertDeclared(h, p.pid(), "bash", "127.0.0.1:" + closed);
        }
    }
}
