package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.bytes;
import static io.cellos.telemetry.wire.CborBytes.cbor;
import static io.cellos.telemetry.wire.CborBytes.prefixed;
import static io.cellos.telemetry.wire.Codec.assertFrameRefused;
import static io.cellos.telemetry.wire.Codec.assertRefusal;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The 4-byte length prefix and the frame around the body (protocol.md §2). */
class FramePrefixRejectionTest {
    private static final byte[] BODY = MapBody.core().body();
    private static final byte[] FRAME = CborBytes.frame(BODY);

    /** Only four body bytes follow: a decoder that looked at the body first would say TRUNCATED. */
    @Test
    void aPrefixOver4096IsRefusedBeforeAnyBodyIsRead() {
        assertFrameRefused(prefixed(Wire.MAX_BODY_BYTES + 1, bytes(0, 0, 0, 0)), FrameError.FRAME_TOO_LARGE, null, 0);
    }

    /** 0xffffffff read as a signed int would be -1, which is not over the limit. */
    @Test
    void thePrefixIsReadUnsigned() {
        assertFrameRefused(prefixed(0xffff_ffffL, BODY), FrameError.FRAME_TOO_LARGE, null, 0);
        assertFrameRefused(prefixed(0x8000_0000L, BODY), FrameError.FRAME_TOO_LARGE, null, 0);
    }

    @Test
    void aZeroPrefixIsRefused() {
        assertFrameRefused(prefixed(0, new byte[0]), FrameError.ZERO_LENGTH, null, 0);
        assertFrameRefused(prefixed(0, BODY), FrameError.ZERO_LENGTH, null, 0);
    }

    @Test
    void checkBodyLengthAcceptsExactlyOneTo4096() {
        assertDoesNotThrow(() -> FrameDecoder.checkBodyLength(1));
        assertDoesNotThrow(() -> FrameDecoder.checkBodyLength(Wire.MAX_BODY_BYTES));
        assertRefusal(assertThrows(FrameException.class, () -> FrameDecoder.checkBodyLength(0)),
                FrameError.ZERO_LENGTH, null, 0);
        assertRefusal(assertThrows(FrameException.class, () -> FrameDecoder.checkBodyLength(Wire.MAX_BODY_BYTES + 1)),
                FrameError.FRAME_TOO_LARGE, null, 0);
        assertRefusal(assertThrows(FrameException.class, () -> FrameDecoder.checkBodyLength(0xffff_ffffL)),
                FrameError.FRAME_TOO_LARGE, null, 0);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 2, 3})
    void fewerThanFourBytesAreAShortHeader(int n) {
        assertFrameRefused(Arrays.copyOf(FRAME, n), FrameError.SHORT_HEADER, null, 0);
    }

    @Test
    void aBodyShorterThanItsPrefixIsTruncated() {
        assertFrameRefused(Arrays.copyOf(FRAME, FRAME.length - 1), FrameError.TRUNCATED, null, FRAME.length - 1);
        assertFrameRefused(Arrays.copyOf(FRAME, 4), FrameError.TRUNCATED, null, 4);
    }

    @Test
    void bytesAfterTheFrameAreTrailing() {
        assertFrameRefused(Arrays.copyOf(FRAME, FRAME.length + 1), FrameError.TRAILING_BYTES, null, FRAME.length);
    }

    @Test
    void theLargestBodyIsNotTooLarge() {
        // A 4096-byte body of a map with one long unknown key: only the map's content is wrong.
        byte[] body = MapBody.empty().add("x", cbor().text("y".repeat(Wire.MAX_BODY_BYTES - 6))).body();
        assertEquals(Wire.MAX_BODY_BYTES, body.length);
        assertFrameRefused(CborBytes.frame(body), FrameError.CONTENT_VERSION_NOT_FIRST, null, Wire.HEADER_BYTES + 1);
    }

    @Test
    void offsetsInsideTheBodyCountFromTheStartOfTheFrame() {
        MapBody m = MapBody.core().put("guest_pid", cbor().text("42"));
        assertFrameRefused(m.frame(), FrameError.WRONG_FIELD_TYPE, "guest_pid", Wire.HEADER_BYTES + m.valueOffset("guest_pid"));
    }

    @Test
    void anEmptyBodyIsRefused() {
        Codec.assertBodyRefused(new byte[0], FrameError.ZERO_LENGTH, null, 0);
    }
}
