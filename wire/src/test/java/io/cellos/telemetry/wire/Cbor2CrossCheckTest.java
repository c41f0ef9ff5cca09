package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Our codec against Python's {@code cbor2}, a decoder and encoder written by other people in
 * another language, in a real {@code /usr/bin/python3} process.
 */
class Cbor2CrossCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final HexFormat HEX = HexFormat.of();

    /**
     * cbor2 reads every frame of the corpus to exactly our values (integers exact up to 2^64-1),
     * and its own shortest-form encoding of what it read is our body byte for byte.
     */
    @Test
    void cbor2DecodesOurFramesToTheSameValues() throws Exception {
        List<ProbeEvent> events = Events.corpus();
        List<String> answers = Cbor2Peer.run("decode", events.stream().map(e -> HEX.formatHex(Codec.encode(e))).toList());
        for (int i = 0; i < events.size(); i++) {
            ProbeEvent e = events.get(i);
            JsonNode answer = JSON.readTree(answers.get(i));
            Map<String, Object> read = JSON.convertValue(answer.get("map"), new TypeReference<LinkedHashMap<String, Object>>() { });
            assertEquals(Expected.entries(Expected.asMap(Expected.afterRoundTrip(e))), Expected.entries(read), e::toString);
            assertTrue(answer.get("reencoded_equal").booleanValue(), () -> "not cbor2's canonical form: " + e);
        }
    }

    /** Frames cbor2 builds, with every width of every integer and key orders we never write. */
    @Test
    void weDecodeFramesCbor2Builds() throws Exception {
        List<ProbeEvent> expected = new ArrayList<>();
        List<String> specs = new ArrayList<>();
        widthSweep(expected, specs);
        keyOrders(expected, specs);

        List<String> frames = Cbor2Peer.run("build", specs);
        for (int i = 0; i < frames.size(); i++) {
            int n = i;
            assertEquals(expected.get(i), Codec.decodeFrame(HEX.parseHex(frames.get(i))), () -> specs.get(n));
        }
    }

    /** Each integer field at each width boundary, left to cbor2 and then in every width that holds it. */
    private static void widthSweep(List<ProbeEvent> expected, List<String> specs) throws JsonProcessingException {
        for (Field f : Events.INTEGER_FIELDS) {
            for (long v : Expected.boundariesUpTo(f.max())) {
                ProbeEvent e = Events.withValue(f, v);
                expected.add(e);
                specs.add(Spec.of(e).json(null));
                for (int w : CborBytes.widthsFor(v)) {
                    expected.add(e);
                    specs.add(Spec.of(e).width(f.wireName(), w).json(null));
                }
            }
        }
        for (int w : new int[] {2, 4, 8}) {
            expected.add(Events.GOLDEN);
            specs.add(Spec.of(Events.GOLDEN).width("content_version", w).json(null));
        }
    }

    /**
     * Every order of the core keys after content_version, with unknown keys among them, over the
     * corpus; integer and length widths, and the map header's, rotate through all that fit.
     */
    private static void keyOrders(List<ProbeEvent> expected, List<String> specs) throws JsonProcessingException {
        List<List<String>> orders = Events.coreKeyOrders();
        List<ProbeEvent> corpus = Events.corpus();
        Integer[] mapWidths = {null, 1, 2, 4, 8};
        for (int i = 0; i < corpus.size(); i++) {
            ProbeEvent e = Expected.afterRoundTrip(corpus.get(i));
            Spec spec = Spec.of(e)
                    .add("x-py-count", new BigInteger("18446744073709551615"))
                    .add("x-py-note", "from cbor2 ✓")
                    .order(orders.get(i % orders.size()), i);
            if (i % 3 != 0) {
                spec.rotateWidths(i);
            }
            expected.add(e);
            specs.add(spec.json(mapWidths[i % mapWidths.length]));
        }
    }

    /** One frame's entries for the script: key, value (BigInteger or String), width (or null). */
    private record Spec(List<Object[]> entries) {
        static Spec of(ProbeEvent e) {
            List<Object[]> entries = new ArrayList<>();
            Expected.asMap(e).forEach((k, v) -> entries.add(new Object[] {k, v, null}));
            return new Spec(entries);
        }

        Spec add(String key, Object value) {
            entries.add(new Object[] {key, value, null});
            return this;
        }

        Spec width(String key, int width) {
            entries.stream().filter(en -> en[0].equals(key)).forEach(en -> en[2] = width);
            return this;
        }

        /** The core keys in {@code coreOrder}, the other keys spread among them, content_version first. */
        Spec order(List<String> coreOrder, int seed) {
            Object[] version = entries.removeFirst();
            List<Object[]> ordered = new ArrayList<>();
            for (String k : coreOrder) {
                ordered.add(entries.stream().filter(en -> en[0].equals(k)).findFirst().orElseThrow());
            }
            List<Object[]> others = entries.stream().filter(en -> !coreOrder.contains((String) en[0])).toList();
            for (int j = 0; j < others.size(); j++) {
                ordered.add((j * 5 + seed) % (ordered.size() + 1), others.get(j));
            }
            ordered.addFirst(version);
            entries.clear();
            entries.addAll(ordered);
            return this;
        }

        /** Gives entry j the ((seed + j) mod n)-th of the n widths its integer or text length fits. */
        void rotateWidths(int seed) {
            for (int j = 0; j < entries.size(); j++) {
                Object v = entries.get(j)[1];
                long arg = v instanceof BigInteger b ? b.longValue() : utf8Length((String) v);
                int[] fits = CborBytes.widthsFor(arg);
                entries.get(j)[2] = fits[(seed + j) % fits.length];
            }
        }

        String json(Integer mapWidth) throws JsonProcessingException {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("entries", entries.stream().map(Arrays::asList).toList());
            spec.put("map_width", mapWidth);
            return JSON.writeValueAsString(spec);
        }

        private static int utf8Length(String s) {
            return s.getBytes(StandardCharsets.UTF_8).length;
        }
    }
}
