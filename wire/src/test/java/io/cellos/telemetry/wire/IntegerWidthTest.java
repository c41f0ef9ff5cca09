package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.cbor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every integer field on both sides of every CBOR width boundary (23/24, 255/256, 65535/65536,
 * 2^32-1/2^32, 2^64-1): the encoder writes the shortest head, the decoder reads every width.
 */
class IntegerWidthTest {

    static Stream<Arguments> fieldsAndBoundaries() {
        return Events.INTEGER_FIELDS.stream()
                .flatMap(f -> LongStream.of(Expected.boundariesUpTo(f.max())).mapToObj(v -> Arguments.of(f, v)));
    }

    static Stream<Arguments> fieldsBoundariesAndWidths() {
        return fieldsAndBoundaries().flatMap(a -> IntStream.of(CborBytes.widthsFor((long) a.get()[1]))
                .mapToObj(w -> Arguments.of(a.get()[0], a.get()[1], w)));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("fieldsAndBoundaries")
    void theEncoderWritesTheShortestHead(Field field, long value) {
        byte[] frame = Codec.encode(Events.withValue(field, value));
        byte[] key = cbor().text(field.wireName()).toByteArray();
        int at = indexOf(frame, key) + key.length;
        byte[] shortest = cbor().uint(value).toByteArray();
        assertArrayEquals(shortest, Arrays.copyOfRange(frame, at, at + shortest.length));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("fieldsAndBoundaries")
    void theEncodedValueDecodesBack(Field field, long value) throws FrameException {
        ProbeEvent event = Events.withValue(field, value);
        assertEquals(event, Codec.decodeFrame(Codec.encode(event)));
    }

    @ParameterizedTest(name = "{0} = {1} in {2} argument bytes")
    @MethodSource("fieldsBoundariesAndWidths")
    void theDecoderReadsEveryWidth(Field field, long value, int width) throws FrameException {
        ProbeEvent expected = Events.withValue(field, value);
        byte[] body = MapBody.core()
                .put(Field.CONTENT_VERSION.wireName(), cbor().uint(expected.contentVersion()))
                .put(field.wireName(), cbor().uint(value, width))
                .body();
        assertEquals(expected, Codec.decodeBody(body));
    }

    @ParameterizedTest(name = "content_version in {0} argument bytes")
    @ValueSource(ints = {2, 4, 8})
    void contentVersionMayUseAnyWidthThatHoldsIt(int width) throws FrameException {
        byte[] body = MapBody.core().put(Field.CONTENT_VERSION.wireName(), cbor().uint(Wire.VERSION_1_0, width)).body();
        assertEquals(Events.GOLDEN, Codec.decodeBody(body));
    }

    /** Lengths are CBOR arguments too: map sizes, key lengths and text lengths in any width. */
    @ParameterizedTest(name = "heads of {0} argument bytes")
    @ValueSource(ints = {1, 2, 4, 8})
    void mapAndTextLengthsMayUseAnyWidth(int width) throws FrameException {
        MapBody wide = MapBody.empty()
                .add(wideText("content_version", width), cbor().uint(Wire.VERSION_1_0, Math.max(width, 2)))
                .add(wideText("probe_source", width), wideText("process.spawned", width))
                .add(wideText("guest_pid", width), cbor().uint(42, width))
                .add(wideText("guest_comm", width), wideText("sh", width))
                .add(wideText("guest_monotonic_ns", width), cbor().uint(1_000_000_000L, Math.max(width, 4)));
        assertEquals(Events.GOLDEN, Codec.decodeBody(wide.body(cbor().head(CborBytes.MAP, wide.entries(), width))));
    }

    private static CborBytes wideText(String s, int width) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return cbor().head(CborBytes.TEXT, utf8.length, width).append(utf8);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
