package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.BpfHelper;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.EbpfProgram.Size;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R1;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R7;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The first {@value #BYTES} bytes of every record the probes' programs write, both sides of them:
 * the program's {@link #stamp} and the reader's accessors. Little-endian:
 * <pre>
 *   0  u32  kind        which record it is, the probe's own numbering ({@link CountedRing#reserve} writes it)
 *   4  u32  pid         the current process (thread-group id), in the initial PID namespace
 *   8  u64  nanos       bpf_ktime_get_ns(): CLOCK_MONOTONIC
 *  16  char comm[16]    the current thread's name, NUL-terminated unless 16 bytes long
 * </pre>
 * A record's own fields follow from {@value #BYTES}, 8-byte aligned.
 *
 * <p>An instance reads the text of records (the comm, and a probe's own strings of at most the
 * length it was made for) without allocating anything but the {@code String}; confined to the
 * probe's thread.
 */
final class RecordHeader {
    static final int KIND = 0;
    static final int PID = 4;
    static final int NANOS = 8;
    static final int COMM = 16;
    static final int COMM_BYTES = 16;
    /** Where a record's own fields begin. */
    static final int BYTES = 32;

    private final byte[] text;

    /** A reader of strings of at most {@code maxText} bytes (and of the comm). */
    RecordHeader(int maxText) {
        this.text = new byte[Math.max(maxText, COMM_BYTES)];
    }

    /** A reader of the comm. */
    RecordHeader() {
        this(COMM_BYTES);
    }

    /**
     * Appends to {@code p}: fill the header of the record in {@code r7}, but its kind: pid (the
     * tgid), nanos and comm. Clobbers {@code r0}–{@code r5}.
     */
    static void stamp(EbpfProgram p) {
        p.call(BpfHelper.GET_CURRENT_PID_TGID)
                .rshImm(R0, 32)
                .store(Size.W, R7, PID, R0)                                   // pid = tgid
                .call(BpfHelper.KTIME_GET_NS)
                .store(Size.DW, R7, NANOS, R0)                                // nanos = CLOCK_MONOTONIC now
                .mov(R1, R7)
                .addImm(R1, COMM)
                .movImm(R2, COMM_BYTES)
                .call(BpfHelper.GET_CURRENT_COMM);                            // comm = the current thread's
    }

    /** The kind of the record at {@code at}. */
    static int kind(MemorySegment data, long at) {
        return data.get(JAVA_INT_UNALIGNED, at + KIND);
    }

    /** The pid of the record at {@code at}. */
    static int pid(MemorySegment data, long at) {
        return data.get(JAVA_INT_UNALIGNED, at + PID);
    }

    /** The kernel's stamp of the record at {@code at}. */
    static long nanos(MemorySegment data, long at) {
        return data.get(JAVA_LONG_UNALIGNED, at + NANOS);
    }

    /** The comm of the record at {@code at}. */
    String comm(MemorySegment data, long at) {
        return string(data, at + COMM, COMM_BYTES);
    }

    /** The NUL-terminated string at {@code at}, of at most {@code max} bytes (no more than this reader was made for). */
    String string(MemorySegment data, long at, int max) {
        int n = 0;
        while (n < max && (text[n] = data.get(JAVA_BYTE, at + n)) != 0) {
            n++;
        }
        return new String(text, 0, n, StandardCharsets.UTF_8);
    }
}
