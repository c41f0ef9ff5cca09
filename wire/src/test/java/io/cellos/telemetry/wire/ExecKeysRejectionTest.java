package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.cbor;
import static io.cellos.telemetry.wire.Codec.assertBodyRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The limits and forms of the text keys §4 bounds: {@code cmdline} (1,024 bytes) and {@code sha256} (64 hex digits). */
class ExecKeysRejectionTest {
    private static final String DIGEST = "0123456789abcdef".repeat(4);

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 1023, 1024})
    void aCmdlineOfUpTo1024BytesIsAccepted(int bytes) throws FrameException {
        String cmdline = "€".repeat(bytes / 3) + "x".repeat(bytes % 3);
        assertEquals(cmdline, Codec.decodeBody(MapBody.core().put("cmdline", cbor().text(cmdline)).body())
                .extensions().cmdline());
    }

    /** What an agent sends for a cut command line: 1,021 bytes and the mark, exactly at the limit. */
    @ParameterizedTest(name = "{0} bytes before the mark")
    @ValueSource(ints = {1019, 1020, 1021})
    void aCutCmdlineEndingInTheMarkIsAccepted(int bytes) throws FrameException {
        String cmdline = "x".repeat(bytes) + CommandLine.CUT_MARK;
        assertEquals(cmdline, Codec.decodeBody(MapBody.core().put("cmdline", cbor().text(cmdline)).body())
                .extensions().cmdline());
    }

    @ParameterizedTest(name = "\"{0}…\"")
    @ValueSource(strings = {"x", "é", "😀"})
    void aCmdlineOverOneThousandAndTwentyFourBytesIsTooLong(String tail) {
        String cmdline = "x".repeat(1024 - tail.length() + 1) + tail; // one or more bytes over, whatever the tail
        MapBody m = MapBody.core().put("cmdline", cbor().text(cmdline));
        FrameException e = Codec.refuseBody(m.body());
        Codec.assertRefusal(e, FrameError.FIELD_TOO_LONG, "cmdline", m.valueOffset("cmdline"));
        assertTrue(e.getMessage().contains("the limit is 1024"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"})
    void aDigestOf64LowercaseHexDigitsIsAccepted(String digest) throws FrameException {
        assertEquals(digest, Codec.decodeBody(MapBody.core().put("sha256", cbor().text(digest)).body()).extensions()
                .sha256());
    }

    /** A digest with a byte that is no lowercase hex digit is refused at that byte. */
    @ParameterizedTest(name = "byte {0} = \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "0|A", "10|F", "63|g", "31|\" \"", "5|-", "0|x"})
    void aDigestWithANonHexDigitIsMalformedAtThatByte(int at, String bad) {
        String digest = DIGEST.substring(0, at) + bad + DIGEST.substring(at + 1);
        MapBody m = MapBody.core().put("sha256", cbor().text(digest));
        int textStart = m.valueOffset("sha256") + 2; // a head of 0x78 and one length byte for 64
        assertBodyRefused(m.body(), FrameError.MALFORMED_FIELD, "sha256", textStart + at);
    }

    @ParameterizedTest(name = "{0} digits")
    @ValueSource(ints = {0, 1, 32, 40, 63})
    void aShortDigestIsMalformed(int digits) {
        MapBody m = MapBody.core().put("sha256", cbor().text(DIGEST.substring(0, digits)));
        FrameException e = Codec.refuseBody(m.body());
        Codec.assertRefusal(e, FrameError.MALFORMED_FIELD, "sha256", m.valueOffset("sha256"));
        assertTrue(e.getMessage().contains(digits + " hex digits, a SHA-256 has 64"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} digits")
    @ValueSource(ints = {65, 128})
    void aLongDigestIsTooLong(int digits) {
        MapBody m = MapBody.core().put("sha256", cbor().text((DIGEST + DIGEST + "0").substring(0, digits)));
        assertBodyRefused(m.body(), FrameError.FIELD_TOO_LONG, "sha256", m.valueOffset("sha256"));
    }

    /** {@code host} has no limit of its own, like {@code path} and {@code peer}. */
    @ParameterizedTest
    @ValueSource(strings = {"", "example.org", "xn--bcher-kva.example", "ünï😀.example"})
    void aHostIsAnyText(String host) throws FrameException {
        assertEquals(host, Codec.decodeBody(MapBody.core().put("host", cbor().text(host)).body()).extensions().host());
    }
}
