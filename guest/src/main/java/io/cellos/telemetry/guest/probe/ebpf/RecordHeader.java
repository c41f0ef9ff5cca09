package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.BpfHelper;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.EbpfProgram.Size;

import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R1;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R7;

/**
 * The first {@value #BYTES} bytes of every record the probes' programs write, both sides of them:
 * the program's {@link #stamp} and the offsets {@link RingRecord} reads them at. Little-endian:
 * <pre>
 *   0  u32  kind        which record it is, the probe's own numbering ({@link CountedRing#reserve} writes it)
 *   4  u32  pid         the current process (thread-group id), in the initial PID namespace
 *   8  u64  nanos       bpf_ktime_get_ns(): CLOCK_MONOTONIC
 *  16  char comm[16]    the current thread's name, NUL-terminated unless 16 bytes long
 * </pre>
 * A record's own fields follow from {@value #BYTES}, 8-byte aligned.
 */
final class RecordHeader {
    static final int KIND = 0;
    static final int PID = 4;
    static final int NANOS = 8;
    static final int COMM = 16;
    static final int COMM_BYTES = 16;
    /** Where a record's own fields begin. */
    static final int BYTES = 32;

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
}
