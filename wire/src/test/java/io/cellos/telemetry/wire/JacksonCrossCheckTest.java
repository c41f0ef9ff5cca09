package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Our codec and Jackson's CBOR module read each other's bodies the same way. */
class JacksonCrossCheckTest {
    /**
     * Between them every extension key, and u64 values above 2^63; each with the two unknown keys
     * the test adds, at the map's limit of 16 entries.
     */
    private static final List<ProbeEvent> FULL = List.of(
            ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, 0xffff_ffffL, "inotifywait", Long.MIN_VALUE)
                    .withExtensions(new Extensions(-1L, 1L, 0x100L, "/etc/ünï😀", "[::1]:22", 255, 65_535,
                            "0123456789abcdef0123456789abcdef", "audit rule removed by pid 812 (auditctl)", null, null,
                            null, null, null, null)),
            ProbeEvent.of(ProbeSource.PROCESS_EXEC, 0xffff_ffffL, "curl", Long.MIN_VALUE)
                    .withExtensions(new Extensions(-1L, 1L, null, "/usr/bin/curl", "[::1]:443", null, 42,
                            "0123456789abcdef0123456789abcdef", null, "curl -H 'X: ünï😀' 'https://example.org/a b'",
                            "0123456789abcdef".repeat(4), "example.org", null, null, null)),
            ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 0xffff_ffffL, "sshd", Long.MIN_VALUE)
                    .withExtensions(Extensions.NONE.withPeer("[::1]:22").withHost("example.org")
                            .withSha256("0123456789abcdef".repeat(4)).withExe("/usr/bin/python3.13 ünï😀")),
            ProbeEvent.of(ProbeSource.NET_RAW_SOCKET_OPENED, 0xffff_ffffL, "ping", Long.MIN_VALUE)
                    .withExtensions(Extensions.NONE.withExe("/usr/bin/ping").withSocket("packet raw 0x0003")));

    static Stream<ProbeEvent> corpus() {
        return Events.corpus().stream();
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void jacksonReadsOurFramesToTheSameValues(ProbeEvent event) {
        List<Map.Entry<String, Object>> read = JacksonCbor.read(Codec.body(Codec.encode(event)));
        assertEquals(Expected.entries(Expected.asMap(Expected.afterRoundTrip(event))), read);
    }

    /**
     * All 24 orders of the core keys after content_version, interleaved with extension and unknown
     * keys, for each of the {@link #FULL} events.
     */
    static Stream<Arguments> keyOrders() {
        List<List<String>> perms = Events.coreKeyOrders();
        return IntStream.range(0, perms.size()).boxed().flatMap(i -> Stream.of(true, false).flatMap(minimal ->
                FULL.stream().map(event -> Arguments.of(i, perms.get(i), minimal, event))));
    }

    @ParameterizedTest(name = "[{index}] {1}, minimal ints {2}, {3}")
    @MethodSource("keyOrders")
    void weReadJacksonsMapsInAnyKeyOrder(int n, List<String> coreOrder, boolean minimalInts, ProbeEvent full)
            throws FrameException {
        Map<String, Object> values = Expected.asMap(full);
        values.put("x-vendor-counter", new BigInteger("18446744073709551615"));
        values.put("x-vendor-note", "ignored ✓");
        List<String> order = new ArrayList<>(coreOrder);
        List<String> others = values.keySet().stream()
                .filter(k -> !k.equals("content_version") && !coreOrder.contains(k)).toList();
        for (int j = 0; j < others.size(); j++) {
            order.add((j * 7 + n) % (order.size() + 1), others.get(j));
        }
        order.addFirst("content_version");
        List<Map.Entry<String, Object>> entries = order.stream().map(k -> Map.entry(k, values.get(k))).toList();

        byte[] body = JacksonCbor.write(entries, minimalInts);
        assertEquals(full, Codec.decodeFrame(CborBytes.frame(body)));
    }
}
