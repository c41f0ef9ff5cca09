package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** {@link Utf8} against the JDK's own UTF-8 codec, over arbitrary text and arbitrary bytes. */
class Utf8PropertiesTest {

    @Property
    void measureAndEncodeCutWhereTheOracleCuts(@ForAll("texts") String s, @ForAll @IntRange(max = 40) int maxBytes) {
        long m = Utf8.measure(s, maxBytes);
        int chars = (int) (m >>> 32);
        byte[] expected = Expected.truncated(s, maxBytes).getBytes(StandardCharsets.UTF_8);
        assertEquals(expected.length, (int) m, "bytes");
        byte[] dst = new byte[expected.length];
        assertEquals(expected.length, Utf8.encode(s, chars, dst, 0));
        assertArrayEquals(expected, dst);
    }

    /** Bytes biased towards the interesting high half, so that many are almost valid. */
    @Property
    void firstInvalidAgreesWithTheJdk(@ForAll("bytes") byte[] b) {
        int bad = Utf8.firstInvalid(b, 0, b.length);
        assertEquals(strictlyValid(b), bad == -1);
        if (bad >= 0) {
            assertTrue(strictlyValid(Arrays.copyOf(b, bad)), "everything before the first bad byte is valid");
        }
    }

    private static boolean strictlyValid(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Provide
    Arbitrary<String> texts() {
        return WireArbitraries.text(30);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<Byte> one = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.bytes().between((byte) 0x20, (byte) 0x7e)),
                Tuple.of(3, Arbitraries.bytes().between((byte) 0x80, (byte) 0xbf)),
                Tuple.of(2, Arbitraries.bytes().between((byte) 0xc0, (byte) 0xff)));
        return one.array(byte[].class).ofMaxSize(12);
    }
}
