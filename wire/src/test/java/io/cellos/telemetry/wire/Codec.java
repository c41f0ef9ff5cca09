package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

/**
 * The codec under test, called the way the tests want it: whole arrays in, exceptions as values.
 *
 * <p>Decoding embeds the input between junk bytes at a non-zero offset, so every decode also
 * proves that the decoder reads nothing outside {@code off..off+len} and reports offsets from
 * the start of the body (or frame), not of the array.
 */
final class Codec {
    private static final int PAD = 5;
    private static final byte JUNK = (byte) 0xff; // a break byte: never valid where the decoder could stray

    private Codec() {
    }

    /** The frame {@link FrameEncoder#encode} makes for {@code event}, exactly as long as it is. */
    public static byte[] encode(ProbeEvent event) {
        byte[] buf = new byte[Wire.MAX_FRAME_BYTES];
        try {
            int n = new FrameEncoder().encode(event, buf, 0);
            return Arrays.copyOf(buf, n);
        } catch (FrameException e) {
            throw new AssertionError("encoding " + event, e);
        }
    }

    /** The body of {@code frame}, without its length prefix. */
    public static byte[] body(byte[] frame) {
        return Arrays.copyOfRange(frame, Wire.HEADER_BYTES, frame.length);
    }

    public static ProbeEvent decodeFrame(byte[] frame) throws FrameException {
        return FrameDecoder.decodeFrame(padded(frame), PAD, frame.length);
    }

    public static ProbeEvent decodeBody(byte[] body) throws FrameException {
        return FrameDecoder.decodeBody(padded(body), PAD, body.length);
    }

    public static FrameException refuseFrame(byte[] frame) {
        return assertThrows(FrameException.class, () -> decodeFrame(frame));
    }

    public static FrameException refuseBody(byte[] body) {
        return assertThrows(FrameException.class, () -> decodeBody(body));
    }

    /** Asserts the kind, field (or {@code null}) and offset (or -1) of a refusal. */
    public static void assertRefusal(FrameException e, FrameError error, String field, long offset) {
        assertAll(e.getMessage(),
                () -> assertEquals(error, e.error(), "error"),
                () -> assertEquals(field, e.field(), "field"),
                () -> assertEquals(offset, e.offset(), "offset"));
    }

    public static void assertBodyRefused(byte[] body, FrameError error, String field, long offset) {
        assertRefusal(refuseBody(body), error, field, offset);
    }

    public static void assertFrameRefused(byte[] frame, FrameError error, String field, long offset) {
        assertRefusal(refuseFrame(frame), error, field, offset);
    }

    private static byte[] padded(byte[] b) {
        byte[] p = new byte[PAD + b.length + PAD];
        Arrays.fill(p, JUNK);
        System.arraycopy(b, 0, p, PAD, b.length);
        return p;
    }
}
