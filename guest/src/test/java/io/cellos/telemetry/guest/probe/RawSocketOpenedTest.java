package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.guest.probe.audit.AuditProbe;
import io.cellos.telemetry.guest.probe.ebpf.EbpfCapabilityProbe;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code net.raw_socket_opened} from each mechanism's probe, against real processes and the real
 * kernel (root): raw IP and packet sockets are declared with what {@code socket(2)} was asked for,
 * and the sockets beside them that need no {@code CAP_NET_RAW} (TCP, UDP, a raw netlink socket)
 * or that use it for something else ({@code SO_MARK}) are not. No packet is sent.
 */
class RawSocketOpenedTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /**
     * Opens, in order, sockets that must not be declared, then the three that must; prints
     * {@code done}.
     */
    private static final String SOCKETS = """
            import socket
            quiet = [socket.socket(socket.AF_INET, socket.SOCK_STREAM),
                     socket.socket(socket.AF_INET6, socket.SOCK_DGRAM),
                     socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0),
                     socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)]
            quiet[0].setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 7)
            raw = [socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP),
                   socket.socket(socket.AF_INET6, socket.SOCK_RAW | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC, 58),
                   socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))]
            print("done")
            """;

    static Stream<Arguments> mechanisms() {
        return Stream.of(Arguments.of("bpf", (Supplier<Probe>) EbpfCapabilityProbe::new),
                Arguments.of("audit", (Supplier<Probe>) AuditProbe::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mechanisms")
    void rawAndPacketSocketsAreDeclaredWithWhatWasAskedForAndNoOtherSocketIs(String name, Supplier<Probe> probe)
            throws Exception {
        try (ProbeHarness h = ProbeHarness.start(probe.get())) {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", SOCKETS).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes()).strip();
            assertEquals(0, p.waitFor(), output);
            assertEquals("done", output);
            List<ProbeEvent> opened = h.await(e -> e.source() == ProbeSource.NET_RAW_SOCKET_OPENED
                    && e.guestPid() == p.pid(), 3, PATIENCE);
            assertEquals(List.of("inet raw 6", "inet6 raw 58", "packet raw 0x0003"),
                    opened.stream().map(e -> e.extensions().socket()).toList(), name + ": " + opened);
            opened.forEach(e -> assertEquals("python3", e.guestComm()));
            assertEquals(3, h.events().stream().filter(e -> e.source() == ProbeSource.NET_RAW_SOCKET_OPENED
                    && e.guestPid() == p.pid()).count(), "the other sockets are not declared: " + h.events());
        }
    }
}
