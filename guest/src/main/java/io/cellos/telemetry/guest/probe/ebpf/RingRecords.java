package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.BpfHelper;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.EbpfProgram.Size;

import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.EQ;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.NE;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R1;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R10;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R3;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R7;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R8;

/**
 * The instructions every program of a {@link TracepointRing} starts a record with, so that the
 * count of events seen equals the records written plus those lost, exactly: find the counters, count
 * the event seen, reserve its record — or, when the ring is full, count it lost and end.
 */
final class RingRecords {
    private RingRecords() {
    }

    /**
     * {@code r8 = &counters[0]} (key 0 at {@code key} below {@code r10}); to {@code out} if the
     * lookup fails, which it never does for an array's key 0 but the verifier asks.
     */
    static EbpfProgram counters(EbpfProgram p, int countersFd, int key, String out) {
        return p.storeImm(Size.W, R10, key, 0)                                // key 0 on the stack
                .loadMapFd(R1, countersFd)
                .mov(R2, R10)
                .addImm(R2, key)
                .call(BpfHelper.MAP_LOOKUP_ELEM)                              // r0 = &counters[0]
                .jumpIf(R0, EQ, 0, out)
                .mov(R8, R0);                                                 // r8 = the counters
    }

    /**
     * With the counters in {@code r8}: {@code seen += 1}, then {@code r7} = a {@code bytes} record of
     * the ring {@code ringFd}; when the ring is full, {@code lost += 1} and to {@code out}. Clobbers
     * {@code r0}–{@code r5}.
     */
    static EbpfProgram reserve(EbpfProgram p, int ringFd, int bytes, int seen, int lost, String out) {
        String reserved = "reserved_" + p.slots();
        return p.movImm(R1, 1)
                .atomicAdd(R8, seen, R1)                                      // seen += 1
                .loadMapFd(R1, ringFd)
                .movImm(R2, bytes)
                .movImm(R3, 0)
                .call(BpfHelper.RINGBUF_RESERVE)                              // r0 = a record, or NULL when full
                .jumpIf(R0, NE, 0, reserved)
                .movImm(R1, 1)
                .atomicAdd(R8, lost, R1)                                      // lost += 1: no room
                .jump(out)
                .label(reserved)
                .mov(R7, R0);                                                 // r7 = the record
    }

    /** Submits the record in {@code r7}, waking the reader. */
    static EbpfProgram submit(EbpfProgram p) {
        return p.mov(R1, R7)
                .movImm(R2, 0)
                .call(BpfHelper.RINGBUF_SUBMIT);
    }
}
