package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.Codec.assertRefusal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Where the encoder writes, how much it may write, and what it does when that is not enough. */
class EncoderBoundsTest {
    private static final byte[] GOLDEN = Codec.encode(Events.GOLDEN);

    private static ProbeEvent withPath(int length) {
        return Events.GOLDEN.withExtensions(Extensions.NONE.withPath("p".repeat(length)));
    }

    /** The path length that makes the body exactly 4096 bytes (its length head is 3 bytes from 256 on). */
    private static int pathFilling4096() {
        int probe = 300;
        int body = Codec.encode(withPath(probe)).length - Wire.HEADER_BYTES;
        return probe + Wire.MAX_BODY_BYTES - body;
    }

    @Test
    void aBodyOfExactly4096BytesIsEncodedAndDecoded() throws FrameException {
        ProbeEvent event = withPath(pathFilling4096());
        byte[] frame = Codec.encode(event);
        assertEquals(Wire.MAX_FRAME_BYTES, frame.length);
        assertEquals(event, Codec.decodeFrame(frame));
    }

    @Test
    void aPathOneByteTooLongIsFrameTooLarge() {
        FrameException e = assertThrows(FrameException.class,
                () -> new FrameEncoder().encode(withPath(pathFilling4096() + 1), new byte[Wire.MAX_FRAME_BYTES], 0));
        assertRefusal(e, FrameError.FRAME_TOO_LARGE, null, -1);
    }

    /** The limit is the frame's, not the buffer's: a roomy buffer must not let a body pass 4096. */
    @Test
    void aRoomyBufferDoesNotRaiseTheLimit() {
        FrameException e = assertThrows(FrameException.class,
                () -> new FrameEncoder().encode(withPath(5000), new byte[3 * Wire.MAX_FRAME_BYTES], 7));
        assertRefusal(e, FrameError.FRAME_TOO_LARGE, null, -1);
    }

    @Test
    void aPeerTooLongOnTheFlyweightPathIsFrameTooLargeAndTheEncoderRecovers() throws FrameException {
        FrameEncoder enc = new FrameEncoder();
        byte[] buf = new byte[Wire.MAX_FRAME_BYTES];
        enc.begin(buf, 0, Wire.VERSION_1_0, ProbeSource.NET_CONNECT_ATTEMPTED, 1, "curl", 1);
        FrameException e = assertThrows(FrameException.class, () -> enc.text(Field.PEER, "€".repeat(1400)));
        assertRefusal(e, FrameError.FRAME_TOO_LARGE, null, -1);
        assertThrows(IllegalStateException.class, enc::finish, "the refused frame must not be finishable");
        assertEquals(GOLDEN.length, enc.encode(Events.GOLDEN, buf, 0));
        assertArrayEquals(GOLDEN, Arrays.copyOf(buf, GOLDEN.length));
    }

    /** Fifteen extension keys and the five core ones pass the map's 16 entries: refused, not written. */
    @Test
    void anEventWithEveryExtensionKeyHasTooManyEntries() {
        Extensions all = new Extensions(1L, 2L, 3L, "/p", "10.0.0.1:1", 4, 5, "s", "w", "c", "0".repeat(64), "h",
                "/usr/bin/e", "inet raw 6", "tcp");
        FrameException e = assertThrows(FrameException.class,
                () -> new FrameEncoder().encode(Events.GOLDEN.withExtensions(all), new byte[Wire.MAX_FRAME_BYTES], 0));
        assertRefusal(e, FrameError.TOO_MANY_ENTRIES, "host", -1);
    }

    @Test
    void aSeventeenthKeyOnTheFlyweightPathIsRefusedAndTheEncoderRecovers() throws FrameException {
        FrameEncoder enc = new FrameEncoder();
        byte[] buf = new byte[Wire.MAX_FRAME_BYTES];
        enc.begin(buf, 0, Wire.VERSION_1_0, ProbeSource.PROCESS_EXEC, 1, "sh", 1).uint(Field.DROPPED_TOTAL, 1)
                .uint(Field.PARENT_PID, 2).uint(Field.EXIT_CODE, 3).text(Field.PATH, "/p").text(Field.PEER, "q")
                .uint(Field.CAPABILITY, 4).uint(Field.SYSCALL, 5).text(Field.SESSION, "s").text(Field.WHAT, "w")
                .text(Field.CMDLINE, "c").text(Field.SHA256, "0".repeat(64));
        FrameException e = assertThrows(FrameException.class, () -> enc.text(Field.HOST, "h"));
        assertRefusal(e, FrameError.TOO_MANY_ENTRIES, "host", -1);
        assertThrows(IllegalStateException.class, enc::finish, "the refused frame must not be finishable");
        assertEquals(GOLDEN.length, enc.encode(Events.GOLDEN, buf, 0));
        assertArrayEquals(GOLDEN, Arrays.copyOf(buf, GOLDEN.length));
    }

    @Test
    void aBufferTooSmallForTheFrameIsAnIndexError() {
        assertThrows(IndexOutOfBoundsException.class,
                () -> new FrameEncoder().encode(Events.GOLDEN, new byte[GOLDEN.length - 1], 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> new FrameEncoder().encode(Events.GOLDEN, new byte[GOLDEN.length + 10], 11));
        assertThrows(IndexOutOfBoundsException.class, () -> new FrameEncoder().encode(Events.GOLDEN, new byte[3], 0));
    }

    @Test
    void aBufferOfExactlyTheFramesSizeIsEnough() throws FrameException {
        byte[] buf = new byte[GOLDEN.length];
        assertEquals(GOLDEN.length, new FrameEncoder().encode(Events.GOLDEN, buf, 0));
        assertArrayEquals(GOLDEN, buf);
    }

    @Test
    void theEncoderWritesOnlyInsideItsFrame() throws FrameException {
        int off = 17;
        byte[] buf = new byte[off + GOLDEN.length + 50];
        Arrays.fill(buf, (byte) 0x5a);
        int n = new FrameEncoder().encode(Events.GOLDEN, buf, off);
        assertEquals(GOLDEN.length, n);
        assertArrayEquals(GOLDEN, Arrays.copyOfRange(buf, off, off + n));
        byte[] untouched = new byte[off];
        Arrays.fill(untouched, (byte) 0x5a);
        assertArrayEquals(untouched, Arrays.copyOf(buf, off));
        for (int i = off + n; i < buf.length; i++) {
            assertEquals((byte) 0x5a, buf[i], "byte " + i);
        }
    }
}
