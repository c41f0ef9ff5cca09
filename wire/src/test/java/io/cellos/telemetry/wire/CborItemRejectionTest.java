package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.bytes;
import static io.cellos.telemetry.wire.CborBytes.cbor;
import static io.cellos.telemetry.wire.Codec.assertBodyRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The CBOR a body may use (protocol.md §3): one definite map of uints and definite texts. */
class CborItemRejectionTest {
    private static final String EXTRA = "x-extra";

    /** Items of every major type the contract forbids, with their arguments. */
    static Stream<Arguments> forbiddenItems() {
        return Stream.of(
                Arguments.of("negative integer -1", cbor().raw(0x20)),
                Arguments.of("negative integer -100", cbor().head(CborBytes.NEGATIVE, 99)),
                Arguments.of("byte string", cbor().head(CborBytes.BYTES, 2).raw(1, 2)),
                Arguments.of("array", cbor().head(CborBytes.ARRAY, 2).uint(1).uint(2)),
                Arguments.of("empty array", cbor().head(CborBytes.ARRAY, 0)),
                Arguments.of("tag 2 (bignum)", cbor().head(CborBytes.TAG, 2).head(CborBytes.BYTES, 1).raw(1)),
                Arguments.of("tag 0 (date)", cbor().head(CborBytes.TAG, 0).text("2025-01-01T00:00:00Z")),
                Arguments.of("half float", cbor().raw(0xf9, 0x3c, 0x00)),
                Arguments.of("single float", cbor().raw(0xfa, 0x3f, 0x80, 0x00, 0x00)),
                Arguments.of("double float", cbor().raw(0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0)),
                Arguments.of("false", cbor().raw(0xf4)),
                Arguments.of("null", cbor().raw(0xf6)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forbiddenItems")
    void aForbiddenMajorAsAKnownValueIsRefused(String name, CborBytes item) {
        MapBody m = MapBody.core().put("guest_pid", item);
        assertBodyRefused(m.body(), FrameError.UNSUPPORTED_MAJOR, "guest_pid", m.valueOffset("guest_pid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forbiddenItems")
    void aForbiddenMajorAsAnUnknownValueIsRefused(String name, CborBytes item) {
        MapBody m = MapBody.core().add(EXTRA, item);
        assertBodyRefused(m.body(), FrameError.UNSUPPORTED_MAJOR, null, m.valueOffset(EXTRA));
    }

    /** Whatever else is wrong with it, a body that is not a map is named as such. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("forbiddenItems")
    void aForbiddenMajorAsTheBodyIsNotAMap(String name, CborBytes item) {
        assertBodyRefused(item.toByteArray(), FrameError.NOT_A_MAP, null, 0);
    }

    @Test
    void aForbiddenMajorAsAKeyIsRefused() {
        MapBody m = MapBody.core().add(cbor().raw(0x20), cbor().uint(1));
        assertBodyRefused(m.body(), FrameError.UNSUPPORTED_MAJOR, null, m.keyOffset(5));
    }

    @Test
    void anIndefiniteMapIsRefused() {
        byte[] body = cbor().raw(0xbf).append(MapBody.core().body(cbor())).raw(0xff).toByteArray();
        assertBodyRefused(body, FrameError.UNSUPPORTED_ADDITIONAL_INFO, null, 0);
    }

    @ParameterizedTest(name = "additional information {0}")
    @ValueSource(ints = {28, 29, 30, 31})
    void additionalInformation28To31OnAnIntegerIsRefused(int ai) {
        MapBody m = MapBody.core().put("guest_pid", cbor().raw(CborBytes.UINT << 5 | ai, 0, 0, 0, 0, 0, 0, 0, 42));
        assertBodyRefused(m.body(), FrameError.UNSUPPORTED_ADDITIONAL_INFO, "guest_pid", m.valueOffset("guest_pid"));
    }

    @ParameterizedTest(name = "additional information {0}")
    @ValueSource(ints = {28, 29, 30, 31})
    void additionalInformation28To31OnAMapHeaderIsRefused(int ai) {
        assertBodyRefused(MapBody.core().body(cbor().raw(CborBytes.MAP << 5 | ai)),
                FrameError.UNSUPPORTED_ADDITIONAL_INFO, null, 0);
    }

    @Test
    void anIndefiniteTextIsRefused() {
        MapBody m = MapBody.core().put("guest_comm", cbor().raw(0x7f).text("sh").raw(0xff));
        assertBodyRefused(m.body(), FrameError.UNSUPPORTED_ADDITIONAL_INFO, "guest_comm", m.valueOffset("guest_comm"));
    }

    @Test
    void anIndefiniteKeyIsRefused() {
        MapBody m = MapBody.core().add(cbor().raw(0x7f).text("x").raw(0xff), cbor().uint(1));
        assertBodyRefused(m.body(), FrameError.UNSUPPORTED_ADDITIONAL_INFO, null, m.keyOffset(5));
    }

    @Test
    void aBodyThatIsAnIntegerOrATextIsNotAMap() {
        assertBodyRefused(cbor().uint(1).toByteArray(), FrameError.NOT_A_MAP, null, 0);
        assertBodyRefused(bytes(0x1b, 0), FrameError.NOT_A_MAP, null, 0);
        assertBodyRefused(cbor().uint(0x0100).toByteArray(), FrameError.NOT_A_MAP, null, 0);
        assertBodyRefused(cbor().text("content_version").toByteArray(), FrameError.NOT_A_MAP, null, 0);
    }

    @Test
    void aMapAsAKnownValueIsNested() {
        MapBody m = MapBody.core().put("guest_pid", cbor().map(0));
        assertBodyRefused(m.body(), FrameError.NESTED_MAP, "guest_pid", m.valueOffset("guest_pid"));
    }

    @Test
    void aMapAsAnUnknownValueIsNested() {
        MapBody m = MapBody.core().add(EXTRA, cbor().map(1).text("a").uint(1));
        assertBodyRefused(m.body(), FrameError.NESTED_MAP, null, m.valueOffset(EXTRA));
    }

    @Test
    void seventeenEntriesAreTooMany() {
        MapBody m = MapBody.core();
        for (int i = 0; m.entries() < Wire.MAX_ENTRIES + 1; i++) {
            m.add("x" + i, cbor().uint(i));
        }
        assertBodyRefused(m.body(), FrameError.TOO_MANY_ENTRIES, null, 0);
    }

    @Test
    void sixteenEntriesAreNotTooMany() throws FrameException {
        MapBody m = MapBody.core();
        for (int i = 0; m.entries() < Wire.MAX_ENTRIES; i++) {
            m.add("x" + i, cbor().uint(i));
        }
        assertEquals(Events.GOLDEN, Codec.decodeBody(m.body()));
    }

    /** The count is refused as declared, before any entry is read. */
    @ParameterizedTest(name = "declared as {0}")
    @ValueSource(longs = {17, 0xffff, 0xffff_ffffL, Long.MAX_VALUE, Long.MIN_VALUE + 5, -1L})
    void aDeclaredCountOver16IsTooManyWhateverFollows(long declared) {
        assertBodyRefused(MapBody.core().body(cbor().head(CborBytes.MAP, declared)), FrameError.TOO_MANY_ENTRIES, null, 0);
    }

    @Test
    void aNonTextKeyIsRefused() {
        MapBody m = MapBody.core().add(cbor().uint(1), cbor().uint(1));
        assertBodyRefused(m.body(), FrameError.NON_TEXT_KEY, null, m.keyOffset(5));
    }

    @Test
    void aMapAsAKeyIsANonTextKey() {
        MapBody m = MapBody.core().add(cbor().map(0), cbor().uint(1));
        assertBodyRefused(m.body(), FrameError.NON_TEXT_KEY, null, m.keyOffset(5));
    }

    @Test
    void aNonTextFirstKeyIsANonTextKey() {
        MapBody m = MapBody.core().add(cbor().uint(0), cbor().uint(1)).move(5, 0);
        assertBodyRefused(m.body(), FrameError.NON_TEXT_KEY, null, 1);
    }

    @Test
    void aTextRunningPastTheEndOfTheBodyIsUnexpectedEnd() {
        MapBody m = MapBody.core().remove("guest_comm").add("guest_comm", cbor().raw(0x65, 's', 'h'));
        assertBodyRefused(m.body(), FrameError.UNEXPECTED_END, "guest_comm", m.valueOffset("guest_comm"));
    }

    /** A 64-bit length must be compared unsigned, or it would look negative and short. */
    @Test
    void aTextOf2To64Minus1BytesIsUnexpectedEnd() {
        MapBody m = MapBody.core().add(EXTRA, cbor().head(CborBytes.TEXT, -1L).raw('a'));
        assertBodyRefused(m.body(), FrameError.UNEXPECTED_END, null, m.valueOffset(EXTRA));
    }

    @Test
    void aKeyRunningPastTheEndOfTheBodyIsUnexpectedEnd() {
        assertBodyRefused(cbor().map(1).raw(0x6f, 'c', 'o').toByteArray(), FrameError.UNEXPECTED_END, null, 1);
    }

    @Test
    void anIntegerArgumentRunningPastTheEndOfTheBodyIsUnexpectedEnd() {
        MapBody m = MapBody.core().put("guest_monotonic_ns", cbor().raw(0x1b, 0, 0, 0));
        assertBodyRefused(m.body(), FrameError.UNEXPECTED_END, "guest_monotonic_ns", m.valueOffset("guest_monotonic_ns"));
    }

    @Test
    void aMapHeaderArgumentRunningPastTheEndOfTheBodyIsUnexpectedEnd() {
        assertBodyRefused(bytes(0xb9, 0x00), FrameError.UNEXPECTED_END, null, 0);
        assertBodyRefused(bytes(0xb8), FrameError.UNEXPECTED_END, null, 0);
    }

    @Test
    void fewerEntriesThanDeclaredIsUnexpectedEnd() {
        byte[] body = MapBody.core().body(cbor().map(6));
        assertBodyRefused(body, FrameError.UNEXPECTED_END, null, body.length);
    }

    @Test
    void aKeyWithoutItsValueIsUnexpectedEnd() {
        byte[] body = cbor().append(MapBody.core().body(cbor().map(6))).text(EXTRA).toByteArray();
        assertBodyRefused(body, FrameError.UNEXPECTED_END, null, body.length);
    }

    @Test
    void anythingAfterTheMapIsTrailing() {
        byte[] map = MapBody.core().body();
        assertBodyRefused(cbor().append(map).raw(0x00).toByteArray(), FrameError.TRAILING_BYTES, null, map.length);
        assertBodyRefused(cbor().append(map).append(map).toByteArray(), FrameError.TRAILING_BYTES, null, map.length);
    }
}
