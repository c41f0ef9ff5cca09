package io.cellos.telemetry.guest.probe.dns;

import io.cellos.telemetry.guest.linux.PacketSocket;
import io.cellos.telemetry.guest.probe.Probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the DNS answers probe's socket costs the rest of the machine: its filter runs in the kernel
 * for every packet of every interface. A loopback UDP echo (100,000 round trips of 64 bytes
 * between two sockets on {@code 127.0.0.1}, ports other than 53, one thread: 200,000 packets each
 * way through {@code lo}) is timed with no packet socket, with the probe armed (filter and
 * {@code PACKET_IGNORE_OUTGOING}), and with the same filter without ignoring outgoing packets (the
 * kernel then clones each sent packet for the socket before the filter drops it). Rounds alternate
 * so that drift hits all alike; minimum and median per round trip are printed. A measurement, not
 * a test.
 *
 * <p>Run as root, from the repository root, after {@code mvn -pl guest -am test-compile}:
 * <pre>java --enable-native-access=ALL-UNNAMED \
 *   -cp guest/target/classes:guest/target/test-classes:wire/target/classes \
 *   io.cellos.telemetry.guest.probe.dns.DnsAnswersCost [rounds]</pre>
 */
public final class DnsAnswersCost {
    private static final int ROUND_TRIPS = 100_000;

    private DnsAnswersCost() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Map<String, List<Long>> nanos = new TreeMap<>();
        echo(ROUND_TRIPS); // warm up the JIT and the sockets
        for (int r = 0; r < rounds; r++) {
            nanos.computeIfAbsent("1 no packet socket", k -> new ArrayList<>()).add(echo(ROUND_TRIPS));
            try (DnsAnswersProbe p = Probe.armed(new DnsAnswersProbe(new PeerHosts()))) {
                if (!p.ignoresOutgoing()) {
                    throw new IllegalStateException("this kernel refused PACKET_IGNORE_OUTGOING");
                }
                nanos.computeIfAbsent("2 probe armed (filter, outgoing ignored)", k -> new ArrayList<>())
                        .add(echo(ROUND_TRIPS));
            }
            try (PacketSocket s = new PacketSocket(DnsAnswerFilter.program(), false, 1 << 20, 65_575, "cost")) {
                nanos.computeIfAbsent("3 filter, outgoing not ignored", k -> new ArrayList<>()).add(echo(ROUND_TRIPS));
                if (s.receive() != 0) {
                    throw new IllegalStateException("the filter let an echo packet through");
                }
            }
            System.out.println("round " + r + ": " + nanos);
        }
        for (var e : nanos.entrySet()) {
            List<Long> v = new ArrayList<>(e.getValue());
            Collections.sort(v);
            System.out.printf("%-45s min %.2f us, median %.2f us per round trip (2 packets through lo, each seen "
                    + "sent and received)%n", e.getKey(), v.getFirst() / 1e3 / ROUND_TRIPS,
                    v.get(v.size() / 2) / 1e3 / ROUND_TRIPS);
        }
    }

    /** {@code n} UDP round trips on loopback; the nanoseconds they took. */
    private static long echo(int n) throws IOException {
        try (DatagramChannel a = DatagramChannel.open(); DatagramChannel b = DatagramChannel.open()) {
            a.bind(new InetSocketAddress("127.0.0.1", 0));
            b.bind(new InetSocketAddress("127.0.0.1", 0));
            a.connect(b.getLocalAddress());
            b.connect(a.getLocalAddress());
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                out.clear();
                a.write(out);
                in.clear();
                b.read(in);
                in.flip();
                b.write(in);
                in.clear();
                a.read(in);
            }
            return System.nanoTime() - t;
        }
    }
}
