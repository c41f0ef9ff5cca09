package io.cellos.telemetry.guest.probe.ebpf;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One record of a probe's ring, copied out of the mapped ring into a heap buffer with one bulk copy
 * ({@link #load}) and read from there with plain array loads: its {@link RecordHeader} and the
 * probe's own fields, little-endian, at offsets from the record's start.
 *
 * <p>Why a copy: a field read through the mapped segment ({@code MemorySegment.get}) goes through a
 * var handle's method-handle chain, which the agent's C1-compiled code does not inline — several
 * calls per field, and per byte of a string (BENCHMARKS.md, "The agent's Java per event"). A copy
 * of a record is one call.
 *
 * <p>Every read is bounded by the record's length: an offset outside it throws
 * {@link IndexOutOfBoundsException} (our own program's layout would be wrong). Reused for every
 * record of its probe and valid until the next {@link #load}; confined to the loop thread.
 */
final class RingRecord {
    private byte[] bytes = new byte[RecordHeader.BYTES];
    private MemorySegment heap = MemorySegment.ofArray(bytes);
    private int length;

    /** Takes the record of {@code length} bytes at {@code at} in {@code data}; the buffer grows to the largest record seen. */
    void load(MemorySegment data, long at, int length) {
        if (length > bytes.length) {
            bytes = new byte[length];
            heap = MemorySegment.ofArray(bytes);
        }
        MemorySegment.copy(data, at, heap, 0, length);
        this.length = length;
    }

    /** The record's length in bytes. */
    int length() {
        return length;
    }

    /** The record's kind, the probe's own numbering. */
    int kind() {
        return i32(RecordHeader.KIND);
    }

    /** The process the record is about (its thread-group id, in the initial PID namespace). */
    int pid() {
        return i32(RecordHeader.PID);
    }

    /** The kernel's stamp ({@code CLOCK_MONOTONIC}). */
    long nanos() {
        return i64(RecordHeader.NANOS);
    }

    /** The name of the thread the program ran on. */
    String comm() {
        return string(RecordHeader.COMM, RecordHeader.COMM_BYTES);
    }

    /** The little-endian 32-bit value at {@code at}. */
    int i32(int at) {
        Objects.checkFromIndexSize(at, Integer.BYTES, length);
        return bytes[at] & 0xff | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | bytes[at + 3] << 24;
    }

    /** The little-endian 64-bit value at {@code at}. */
    long i64(int at) {
        Objects.checkFromIndexSize(at, Long.BYTES, length);
        return Integer.toUnsignedLong(i32(at)) | (long) i32(at + Integer.BYTES) << 32;
    }

    /** The UTF-8 text at {@code at} up to its NUL or {@code max} bytes, whichever comes first. */
    String string(int at, int max) {
        Objects.checkFromIndexSize(at, max, length);
        int n = 0;
        while (n < max && bytes[at + n] != 0) {
            n++;
        }
        return new String(bytes, at, n, StandardCharsets.UTF_8);
    }

    /** Copies {@code n} bytes from {@code at} into {@code dst} at {@code dstAt}. */
    void copy(int at, byte[] dst, int dstAt, int n) {
        Objects.checkFromIndexSize(at, n, length);
        System.arraycopy(bytes, at, dst, dstAt, n);
    }
}
