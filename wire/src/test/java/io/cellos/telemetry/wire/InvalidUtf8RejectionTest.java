package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.bytes;
import static io.cellos.telemetry.wire.CborBytes.cbor;
import static io.cellos.telemetry.wire.Codec.assertBodyRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Text must be well-formed UTF-8 (RFC 3629) wherever it is: in known values, in keys, and in
 * unknown keys' values that are otherwise ignored. The offset names the first bad byte.
 */
class InvalidUtf8RejectionTest {
    /** Each payload is valid up to index 1, where the bad sequence starts. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("overlong '/' in 2 bytes", bytes('a', 0xc0, 0xaf)),
                Arguments.of("overlong 'A' with C1", bytes('a', 0xc1, 0x81)),
                Arguments.of("overlong '/' in 3 bytes", bytes('a', 0xe0, 0x80, 0xaf)),
                Arguments.of("overlong U+07FF in 3 bytes", bytes('a', 0xe0, 0x9f, 0xbf)),
                Arguments.of("overlong '/' in 4 bytes", bytes('a', 0xf0, 0x80, 0x80, 0xaf)),
                Arguments.of("surrogate U+D800", bytes('a', 0xed, 0xa0, 0x80)),
                Arguments.of("surrogate U+DFFF", bytes('a', 0xed, 0xbf, 0xbf)),
                Arguments.of("3-byte sequence cut at the end", bytes('a', 0xe2, 0x82)),
                Arguments.of("4-byte sequence cut at the end", bytes('a', 0xf0, 0x9f, 0x98)),
                Arguments.of("3-byte sequence cut by ASCII", bytes('a', 0xe2, 0x82, 'b')),
                Arguments.of("U+110000", bytes('a', 0xf4, 0x90, 0x80, 0x80)),
                Arguments.of("lead byte F5", bytes('a', 0xf5, 0x80, 0x80, 0x80)),
                Arguments.of("lone continuation byte", bytes('a', 0x80, 'b')),
                Arguments.of("byte FE", bytes('a', 0xfe)),
                Arguments.of("byte FF", bytes('a', 0xff)));
    }

    private static final int BAD_AT = 1;

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void inGuestComm(String name, byte[] payload) {
        assertInvalidInValueOf("guest_comm", payload);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void inProbeSource(String name, byte[] payload) {
        assertInvalidInValueOf("probe_source", payload);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void inPath(String name, byte[] payload) {
        assertInvalidInValueOf("path", payload);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void inAKey(String name, byte[] payload) {
        MapBody m = MapBody.core().add(cbor().text(payload), cbor().uint(1));
        assertBodyRefused(m.body(), FrameError.INVALID_UTF8, null, m.keyOffset(5) + 1 + BAD_AT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void inAnUnknownKeysValue(String name, byte[] payload) {
        MapBody m = MapBody.core().add("x-ignored", cbor().text(payload));
        assertBodyRefused(m.body(), FrameError.INVALID_UTF8, null, m.valueOffset("x-ignored") + 1 + BAD_AT);
    }

    static Stream<Arguments> wellFormedEdges() {
        return Stream.of(
                Arguments.of("U+0080", bytes(0xc2, 0x80)),
                Arguments.of("U+07FF", bytes(0xdf, 0xbf)),
                Arguments.of("U+0800", bytes(0xe0, 0xa0, 0x80)),
                Arguments.of("U+D7FF", bytes(0xed, 0x9f, 0xbf)),
                Arguments.of("U+E000", bytes(0xee, 0x80, 0x80)),
                Arguments.of("U+FFFF", bytes(0xef, 0xbf, 0xbf)),
                Arguments.of("U+10000", bytes(0xf0, 0x90, 0x80, 0x80)),
                Arguments.of("U+10FFFF", bytes(0xf4, 0x8f, 0xbf, 0xbf)),
                Arguments.of("NUL", bytes(0x00)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wellFormedEdges")
    void theEdgesOfWellFormedUtf8AreAccepted(String name, byte[] payload) throws FrameException {
        String comm = Codec.decodeBody(MapBody.core().put("guest_comm", cbor().text(payload)).body()).guestComm();
        assertEquals(new String(payload, StandardCharsets.UTF_8), comm);
    }

    private static void assertInvalidInValueOf(String key, byte[] payload) {
        MapBody m = MapBody.core().put(key, cbor().text(payload));
        assertBodyRefused(m.body(), FrameError.INVALID_UTF8, key, m.valueOffset(key) + 1 + BAD_AT);
    }
}
