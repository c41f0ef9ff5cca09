package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the connect probes' tests share: processes that connect, ports nobody serves, and the wait for a declaration. */
public final class Connects {
    public static final Duration PATIENCE = Duration.ofSeconds(30);
    public static final String PYTHON = "/usr/bin/python3";
    /** A script that submits one io_uring operation, a connect or a socket (see its head). */
    public static final Path IO_URING = Path.of("src/test/resources/io/cellos/telemetry/guest/probe/ebpf/iouring.py");

    private Connects() {
    }

    /** Waits for the one declaration of {@code pid} to {@code peer}, named {@code comm} unless null. */
    public static ProbeEvent assertDeclared(ProbeHarness h, long pid, String comm, String peer)
            throws InterruptedException {
        ProbeEvent e = h.await(x -> x.source() == ProbeSource.NET_CONNECT_ATTEMPTED && x.guestPid() == pid
                && peer.equals(x.extensions().peer()), 1, PATIENCE).getFirst();
        if (comm != null) {
            assertEquals(comm, e.guestComm(), e.toString());
        }
        return e;
    }

    /** Runs {@code script} in python3 and returns its pid once it has exited successfully. */
    public static long python(String script) throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", script).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        return p.pid();
    }

    /** A loopback TCP port nothing listens on (one the kernel just gave and took back). */
    public static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** A loopback UDP port nothing is bound to. */
    public static int closedUdpPort() throws IOException {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }
}
