package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The allocation-free UTF-8 helpers, at their edges. */
class Utf8Test {

    @Test
    void firstInvalidOfWellFormedTextIsMinusOne() {
        assertEquals(-1, Utf8.firstInvalid(new byte[0], 0, 0));
        byte[] all = "a\u0000\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\uD800\uDC00\uDBFF\uDFFF"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(-1, Utf8.firstInvalid(all, 0, all.length));
    }

    @Test
    void firstInvalidIsTheOffsetOfTheBadSequencesFirstByte() {
        assertEquals(0, Utf8.firstInvalid(bytes(0x80), 0, 1));
        assertEquals(3, Utf8.firstInvalid(bytes('a', 'b', 'c', 0xed, 0xa0, 0x80, 'd'), 0, 7));
        assertEquals(3, Utf8.firstInvalid(bytes('a', 0xc3, 0xa9, 0xe2, 0x82), 0, 5)); // a, é, then a cut €
    }

    @Test
    void firstInvalidLooksOnlyInsideItsRangeAndCountsFromItsStart() {
        byte[] b = bytes(0xff, 'a', 'b', 0xc3, 0xa9, 0xff);
        assertEquals(-1, Utf8.firstInvalid(b, 1, 4), "the 0xff on either side is outside the range");
        assertEquals(2, Utf8.firstInvalid(b, 1, 3), "é cut by the end of the range");
        assertEquals(4, Utf8.firstInvalid(b, 1, 5));
    }

    /**
     * Every lead byte with every second byte, each sequence completed with continuation bytes to
     * the length its lead announces: {@code firstInvalid} agrees with the JDK's strict decoder.
     */
    @Test
    void firstInvalidAgreesWithTheJdkOnEveryLeadAndSecondByte() {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int lead = 0; lead < 256; lead++) {
            for (int second = 0; second < 256; second++) {
                byte[] seq = new byte[Math.max(2, announcedLength(lead))];
                Arrays.fill(seq, (byte) 0x80);
                seq[0] = (byte) lead;
                seq[1] = (byte) second;
                boolean jdkValid = decodes(strict, seq);
                assertEquals(jdkValid, Utf8.firstInvalid(seq, 0, seq.length) == -1,
                        () -> "sequence " + CborBytes.cbor().append(seq));
            }
        }
    }

    @Test
    void measureCountsBytesAndCharsOfTheLongestFittingPrefix() {
        assertMeasure("", 16, 0, 0);
        assertMeasure("abc", 0, 0, 0);
        assertMeasure("abc", 2, 2, 2);
        assertMeasure("éé", 3, 1, 2);
        assertMeasure("€€", 5, 1, 3);
        assertMeasure("€€", 6, 2, 6);
        assertMeasure("😀", 3, 0, 0);
        assertMeasure("😀", 4, 2, 4);
        assertMeasure("a😀", 4, 1, 1);
    }

    @Test
    void measureCountsAnUnpairedSurrogateAsOneByte() {
        assertMeasure("\uD800", 16, 1, 1);
        assertMeasure("\uDC00\uD800", 16, 2, 2);
        assertMeasure("a\uD800b", 16, 3, 3);
        assertMeasure("\uD800\uD800\uDC00", 16, 3, 5); // one lone high, then a pair
    }

    @Test
    void measureTakesAWholeStringWhenThereIsRoom() {
        String s = "x".repeat(5000);
        assertMeasure(s, Integer.MAX_VALUE, 5000, 5000);
    }

    @ParameterizedTest(name = "\"{0}\" first {1} chars")
    @CsvSource({"abc,3", "abc,1", "é€😀,4", "é€😀,3", "a\uD800b,3", "\uDC00,1", "😀,1"})
    void encodeWritesWhatTheJdkWritesForTheSameChars(String s, int chars) {
        byte[] expected = s.substring(0, chars).getBytes(StandardCharsets.UTF_8);
        byte[] dst = new byte[3 + expected.length + 3];
        int end = Utf8.encode(s, chars, dst, 3);
        assertEquals(3 + expected.length, end);
        assertArrayEquals(expected, Arrays.copyOfRange(dst, 3, end));
        assertArrayEquals(new byte[3], Arrays.copyOfRange(dst, end, dst.length), "nothing past the end");
    }

    @Test
    void equalsBytesComparesExactlyTheRange() {
        byte[] name = "guest_pid".getBytes(StandardCharsets.US_ASCII);
        byte[] src = "xxguest_pidyy".getBytes(StandardCharsets.US_ASCII);
        assertTrue(Utf8.equalsBytes(name, src, 2, 9));
        assertFalse(Utf8.equalsBytes(name, src, 2, 8));
        assertFalse(Utf8.equalsBytes(name, src, 1, 9));
        assertFalse(Utf8.equalsBytes(name, src, 2, 10));
    }

    private static void assertMeasure(String s, int maxBytes, int chars, int bytes) {
        long m = Utf8.measure(s, maxBytes);
        assertEquals(chars, (int) (m >>> 32), "chars");
        assertEquals(bytes, (int) m, "bytes");
    }

    /** The length a lead byte announces by its bit pattern alone (RFC 3629 §3), valid or not. */
    private static int announcedLength(int lead) {
        if (lead >= 0xf0) {
            return 4;
        }
        if (lead >= 0xe0) {
            return 3;
        }
        return lead >= 0xc0 ? 2 : 1;
    }

    private static boolean decodes(CharsetDecoder strict, byte[] b) {
        try {
            strict.reset().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
