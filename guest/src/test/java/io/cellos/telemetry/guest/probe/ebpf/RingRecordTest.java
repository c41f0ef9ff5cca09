package io.cellos.telemetry.guest.probe.ebpf;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A record copied out of native memory reads as the native memory did, little-endian, and never past its end. */
class RingRecordTest {
    /** A record as a program writes it: header, then a u32, a u64 and a NUL-terminated text, at {@code at} in {@code ring}. */
    private static int write(MemorySegment ring, long at, int kind, int pid, long nanos, String comm, int u32, long u64,
                             String text) {
        ring.set(JAVA_INT_UNALIGNED, at + RecordHeader.KIND, kind);
        ring.set(JAVA_INT_UNALIGNED, at + RecordHeader.PID, pid);
        ring.set(JAVA_LONG_UNALIGNED, at + RecordHeader.NANOS, nanos);
        byte[] c = comm.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(MemorySegment.ofArray(c), 0, ring, at + RecordHeader.COMM, c.length);
        ring.set(JAVA_INT_UNALIGNED, at + 32, u32);
        ring.set(JAVA_LONG_UNALIGNED, at + 36, u64);
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(MemorySegment.ofArray(t), 0, ring, at + 44, t.length);
        ring.set(JAVA_BYTE, at + 44 + t.length, (byte) 0);
        return 44 + t.length + 1;
    }

    @Test
    void readsEveryFieldAsTheProgramWroteIt() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = arena.allocate(4096);
            ring.fill((byte) 0x5a);
            int length = write(ring, 104, 3, -2, 0x8000_0000_0000_0001L, "sh\0", 0xfedc_ba98, 0x0123_4567_89ab_cdefL, "/usr/bin/é");
            RingRecord r = new RingRecord();
            r.load(ring, 104, length);
            assertEquals(length, r.length());
            assertEquals(3, r.kind());
            assertEquals(-2, r.pid());
            assertEquals(0x8000_0000_0000_0001L, r.nanos());
            assertEquals("sh", r.comm());
            assertEquals(0xfedc_ba98, r.i32(32));
            assertEquals(0x0123_4567_89ab_cdefL, r.i64(36), "a low half with its top bit set is not sign-extended");
            assertEquals("/usr/bin/é", r.string(44, length - 44));
            assertEquals("/usr", r.string(44, 4), "a text is cut at its bound when no NUL comes first");
            byte[] dst = new byte[6];
            r.copy(44, dst, 1, 4);
            assertArrayEquals(new byte[]{0, '/', 'u', 's', 'r', 0}, dst);
        }
    }

    @Test
    void aCommOfSixteenBytesHasNoNul() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = arena.allocate(256);
            int length = write(ring, 0, 1, 1, 1, "abcdefghijklmnop", 0x41414141, 0, ""); // "AAAA" right after it
            RingRecord r = new RingRecord();
            r.load(ring, 0, length);
            assertEquals("abcdefghijklmnop", r.comm());
        }
    }

    @Test
    void nothingIsReadPastTheRecordEvenWhenTheBufferHoldsMoreFromALongerOne() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = arena.allocate(8192);
            RingRecord r = new RingRecord();
            int longer = write(ring, 0, 1, 1, 1, "a", 7, 8, "x".repeat(3000));
            r.load(ring, 0, longer);
            assertEquals("x".repeat(3000), r.string(44, longer - 44), "the buffer grew to the longer record");
            r.load(ring, 4096, RecordHeader.BYTES + 4);
            assertEquals(RecordHeader.BYTES + 4, r.length());
            assertThrows(IndexOutOfBoundsException.class, () -> r.i32(RecordHeader.BYTES + 1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.i64(RecordHeader.BYTES));
            assertThrows(IndexOutOfBoundsException.class, () -> r.string(RecordHeader.BYTES, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> r.copy(RecordHeader.BYTES, new byte[8], 0, 5));
            assertThrows(IndexOutOfBoundsException.class, () -> r.i32(-1));
        }
    }
}
