package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The Jackson cross-check over arbitrary events, key orders and unknown keys. */
class JacksonCrossCheckPropertiesTest {

    @Property(tries = 500)
    void jacksonReadsOurFramesToTheSameValues(@ForAll("events") ProbeEvent event) {
        assertEquals(Expected.entries(Expected.asMap(Expected.afterRoundTrip(event))),
                JacksonCbor.read(Codec.body(Codec.encode(event))));
    }

    @Property(tries = 500)
    void weReadWhatJacksonWritesInAnyOrder(@ForAll("events") ProbeEvent event, @ForAll("shuffles") List<Integer> shuffle,
                                           @ForAll("unknownEntries") List<Map.Entry<String, Object>> unknown,
                                           @ForAll boolean minimalInts) throws FrameException {
        ProbeEvent expected = Expected.afterRoundTrip(event);
        List<Map.Entry<String, Object>> entries = Expected.entries(Expected.asMap(expected));
        Map.Entry<String, Object> version = entries.removeFirst();
        entries.addAll(unknown);
        List<Map.Entry<String, Object>> shuffled = new ArrayList<>();
        shuffled.add(version);
        shuffle.stream().filter(i -> i < entries.size()).forEach(i -> shuffled.add(entries.get(i)));

        byte[] body = JacksonCbor.write(shuffled, minimalInts);
        assertEquals(expected, Codec.decodeFrame(CborBytes.frame(body)));
    }

    @Provide
    Arbitrary<ProbeEvent> events() {
        return WireArbitraries.events();
    }

    /** A permutation of the other 15 entry slots a map may have (11 known keys at most, 4 unknown). */
    @Provide
    Arbitrary<List<Integer>> shuffles() {
        return Arbitraries.shuffle(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
    }

    @Provide
    Arbitrary<List<Map.Entry<String, Object>>> unknownEntries() {
        Arbitrary<Object> value = Arbitraries.oneOf(
                WireArbitraries.u64().map(Expected::big),
                WireArbitraries.text(20).map(Expected::sanitized));
        Arbitrary<String> name = Arbitraries.strings().alpha().numeric().ofMaxLength(12).map(s -> "x-" + s);
        return Combinators.combine(name, value).as((k, v) -> Map.entry(k, v)).list().ofMaxSize(4)
                .uniqueElements(Map.Entry::getKey);
    }
}
