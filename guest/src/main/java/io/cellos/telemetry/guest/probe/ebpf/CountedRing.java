package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Bpf;
import io.cellos.telemetry.guest.linux.BpfHelper;
import io.cellos.telemetry.guest.linux.BpfRingBuffer;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.EbpfProgram.Size;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.EQ;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.NE;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R1;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R10;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R3;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R7;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R8;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A BPF ring buffer with the two counters that make its losses exact, both sides of it: the code a
 * program uses to {@linkplain #reserve reserve} and {@linkplain #submit submit} a record, and the
 * consumer's mapping of the ring and of the counters.
 *
 * <p>Counters, one element of a mappable array, read in place without a system call: {@code u64 lost}
 * at {@value #LOST}, {@code u64 seen} at {@value #SEEN}. A program counts an event seen before it
 * reserves its record, and lost when the ring is full, so {@code seen == read + lost} once the ring
 * is drained.
 *
 * <p>Owns the maps and the mappings; confined to the probe's thread.
 */
final class CountedRing implements AutoCloseable {
    static final int LOST = 0;
    static final int SEEN = 8;
    static final int COUNTERS_BYTES = 16;
    private static final VarHandle COUNTER = JAVA_LONG.varHandle();

    private final Fd ringMap;
    private final Fd counterMap;
    private final MemorySegment counters;
    private final BpfRingBuffer ring;
    private long lostReported;

    /**
     * Creates the ring of {@code bytes} (a power of two, at least a page) and the counters, named
     * {@code name} and {@code name + "_cnt"} for {@code bpftool}, and maps both.
     *
     * @throws ErrnoException naming the map or mapping that failed; nothing is left behind
     */
    CountedRing(int bytes, String name) throws ErrnoException {
        Fd rm = Bpf.createMap(Bpf.MAP_TYPE_RINGBUF, 0, 0, bytes, 0, name);
        Fd cm = null;
        MemorySegment c = null;
        try {
            cm = Bpf.createMap(Bpf.MAP_TYPE_ARRAY, 4, COUNTERS_BYTES, 1, Bpf.MAP_F_MMAPABLE, name + "_cnt");
            c = Libc.mmap(COUNTERS_BYTES, Libc.PROT_READ, Libc.MAP_SHARED, cm.get(), 0, name + "_cnt values");
            this.ring = new BpfRingBuffer(rm, bytes);
        } catch (ErrnoException | RuntimeException e) {
            if (c != null) {
                Libc.munmap(c);
            }
            if (cm != null) {
                cm.close();
            }
            rm.close();
            throw e;
        }
        this.ringMap = rm;
        this.counterMap = cm;
        this.counters = c;
    }

    /** The ring map's descriptor: the loop waits on it, readable while records wait. */
    int fd() {
        return ringMap.get();
    }

    /**
     * Appends to {@code p}: count the event seen, reserve a {@code bytes} record in {@code r7} and
     * write {@code kind} as its first {@code u32}; when the ring is full, count the event lost and
     * jump to {@code out}. Clobbers {@code r0}–{@code r3}, {@code r8} and the stack word at
     * {@code r10 - 4}; keeps {@code r6} and {@code r9}.
     */
    void reserve(EbpfProgram p, int kind, int bytes, String out) {
        String reserved = "reserved" + p.slots();
        p.storeImm(Size.W, R10, -4, 0)                                        // key 0 on the stack
                .loadMapFd(R1, counterMap.get())
                .mov(R2, R10)
                .addImm(R2, -4)
                .call(BpfHelper.MAP_LOOKUP_ELEM)                              // r0 = &counters[0]
                .jumpIf(R0, EQ, 0, out)                                       // never for an array's key 0; the verifier asks
                .mov(R8, R0)                                                  // r8 = the counters
                .movImm(R1, 1)
                .atomicAdd(R8, SEEN, R1)                                      // seen += 1
                .loadMapFd(R1, ringMap.get())
                .movImm(R2, bytes)
                .movImm(R3, 0)
                .call(BpfHelper.RINGBUF_RESERVE)                              // r0 = a record, or NULL when full
                .jumpIf(R0, NE, 0, reserved)
                .movImm(R1, 1)
                .atomicAdd(R8, LOST, R1)                                      // lost += 1: no room
                .jump(out)
                .label(reserved)
                .mov(R7, R0)                                                  // r7 = the record
                .storeImm(Size.W, R7, 0, kind);
    }

    /** Appends to {@code p}: submit the record in {@code r7}, waking the reader. */
    void submit(EbpfProgram p) {
        p.mov(R1, R7)
                .movImm(R2, 0)
                .call(BpfHelper.RINGBUF_SUBMIT);
    }

    /** Hands {@code records} at most {@code max} published records; see {@link BpfRingBuffer#read}. */
    int read(BpfRingBuffer.Records records, int max) {
        return ring.read(records, max);
    }

    /** Whether records are published or being written. */
    boolean pending() {
        return ring.pending();
    }

    /** Events the programs have seen: read, waiting in the ring, or lost. */
    long seen() {
        return (long) COUNTER.getVolatile(counters, (long) SEEN);
    }

    /** Tells {@code out} the events lost since the last call. */
    void reportLost(ProbeOutput out) {
        long lost = (long) COUNTER.getVolatile(counters, (long) LOST);
        if (lost > lostReported) {
            out.lost(lost - lostReported);
            lostReported = lost;
        }
    }

    @Override
    public void close() {
        ring.close();
        Libc.munmap(counters);
        counterMap.close();
        ringMap.close();
    }
}
