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
 * A BPF ring buffer with the counters that make its losses exact, both sides of it: the code a
 * program uses to {@linkplain #lookUpCounters find the counters}, {@linkplain #reserve reserve} and
 * {@linkplain #submit submit} a record, and the consumer's mapping of the ring and of the counters.
 *
 * <p>Counters, one element of a mappable array of {@code u64}s, read in place without a system call:
 * {@code lost} at {@value #LOST}, {@code seen} at {@value #SEEN}, then any a probe adds for itself
 * (from {@value #COUNTERS_BYTES} on). A program counts an event seen before it reserves its record,
 * and lost when the ring is full, so {@code seen == read + lost} once the ring is drained.
 *
 * <p>Owns the maps and the mappings; confined to the probe's thread.
 */
final class CountedRing implements AutoCloseable {
    static final int LOST = 0;
    static final int SEEN = 8;
    /** The bytes of the two counters every ring has; a probe's own counters follow. */
    static final int COUNTERS_BYTES = 16;
    /** Where a program keeps the counters' key, below {@code r10}. */
    private static final int KEY = -4;
    private static final VarHandle COUNTER = JAVA_LONG.varHandle();

    private final Fd ringMap;
    private final Fd counterMap;
    private final MemorySegment counters;
    private final BpfRingBuffer ring;
    private final WakeWindow window;
    private final int bytes;
    private long lostReported;

    /**
     * Creates the ring of {@code bytes} (a power of two, at least a page) and {@code counterBytes} of
     * counters (at least {@value #COUNTERS_BYTES}, a multiple of 8), named {@code name} and
     * {@code name + "_cnt"} for {@code bpftool} (the longer at most 15 bytes), and maps both; its
     * programs {@linkplain #submit submit} under {@code window}, which this opens if need be (and
     * does not own).
     *
     * @throws ErrnoException naming the map or mapping that failed; nothing is left behind
     */
    CountedRing(int bytes, int counterBytes, String name, WakeWindow window) throws ErrnoException {
        if (counterBytes < COUNTERS_BYTES || counterBytes % Long.BYTES != 0) {
            throw new IllegalArgumentException("counters of " + counterBytes + " bytes: at least lost and seen, in u64s");
        }
        window.open();
        Fd rm = Bpf.createMap(Bpf.MAP_TYPE_RINGBUF, 0, 0, bytes, 0, name);
        Fd cm = null;
        MemorySegment c = null;
        try {
            cm = Bpf.createMap(Bpf.MAP_TYPE_ARRAY, 4, counterBytes, 1, Bpf.MAP_F_MMAPABLE, name + "_cnt");
            c = Libc.mmap(counterBytes, Libc.PROT_READ, Libc.MAP_SHARED, cm.get(), 0, name + "_cnt values");
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
        this.window = window;
        this.bytes = bytes;
    }

    /** The ring map's descriptor: the loop waits on it, readable while records wait. */
    int fd() {
        return ringMap.get();
    }

    /**
     * Appends to {@code p}: {@code r8} = the counters; to {@code out} if the lookup fails, which it
     * never does for an array's key 0 but the verifier asks. Clobbers {@code r0}–{@code r5} and the
     * stack word at {@code r10 - 4}.
     */
    void lookUpCounters(EbpfProgram p, String out) {
        p.storeImm(Size.W, R10, KEY, 0)                                       // key 0 on the stack
                .loadMapFd(R1, counterMap.get())
                .mov(R2, R10)
                .addImm(R2, KEY)
                .call(BpfHelper.MAP_LOOKUP_ELEM)                              // r0 = &counters[0]
                .jumpIf(R0, EQ, 0, out)
                .mov(R8, R0);                                                 // r8 = the counters
    }

    /** Appends to {@code p}, with the counters in {@code r8}: the counter at {@code offset} += 1. Clobbers {@code r1}. */
    static void count(EbpfProgram p, int offset) {
        p.movImm(R1, 1)
                .atomicAdd(R8, offset, R1);
    }

    /**
     * Appends to {@code p}: {@linkplain #lookUpCounters find the counters}, then
     * {@linkplain #reserveCounted reserve and stamp} a record in {@code r7}, or count it lost and
     * jump to {@code out}.
     */
    void reserve(EbpfProgram p, int kind, int bytes, String out) {
        lookUpCounters(p, out);
        reserveCounted(p, kind, bytes, out);
    }

    /**
     * Appends to {@code p}, with the counters in {@code r8} ({@link #lookUpCounters}): count the event
     * seen, reserve a {@code bytes} record in {@code r7} and fill its header: {@code kind} and the
     * {@linkplain RecordHeader#stamp stamp}; when the ring is full, count the event lost and jump to
     * {@code out}. Clobbers {@code r0}–{@code r5}; keeps {@code r6}, {@code r8} and {@code r9}.
     */
    void reserveCounted(EbpfProgram p, int kind, int bytes, String out) {
        String reserved = "reserved_" + p.slots();
        count(p, SEEN);
        p.loadMapFd(R1, ringMap.get())
                .movImm(R2, bytes)
                .movImm(R3, 0)
                .call(BpfHelper.RINGBUF_RESERVE)                              // r0 = a record, or NULL when full
                .jumpIf(R0, NE, 0, reserved);
        count(p, LOST);                                                       // no room
        p.jump(out)
                .label(reserved)
                .mov(R7, R0)                                                  // r7 = the record
                .storeImm(Size.W, R7, RecordHeader.KIND, kind);
        RecordHeader.stamp(p);
    }

    /**
     * Appends to {@code p}: submit the record in {@code r7}, waking the reader as the ring's
     * {@link WakeWindow} says. Clobbers {@code r0}–{@code r5}.
     */
    void submit(EbpfProgram p) {
        window.submit(p, ringMap.get(), bytes);
    }

    /** Appends to {@code p}: {@linkplain #submit submit} the record in {@code r7}; then {@code out:} return {@code verdict}. */
    EbpfProgram submit(EbpfProgram p, String out, int verdict) {
        submit(p);
        return p.label(out)
                .movImm(R0, verdict)
                .exit();
    }

    /** Hands {@code records} at most {@code max} published records; see {@link BpfRingBuffer#read}. */
    int read(BpfRingBuffer.Records records, int max) {
        return ring.read(records, max);
    }

    /**
     * Hands {@code records} at most {@code max} records, then tells {@code out} the events lost since
     * the last report; returns the records handed over.
     */
    int read(BpfRingBuffer.Records records, int max, ProbeOutput out) {
        int n = ring.read(records, max);
        reportLost(out);
        return n;
    }

    /**
     * {@linkplain #read(BpfRingBuffer.Records, int, ProbeOutput) Reads} batches of at most {@code max}
     * until the ring is empty or {@code deadlineNanos} has passed; once the programs are detached,
     * {@link #seen} is then final and equals what was read plus what was reported lost. Returns the
     * last batch's count.
     */
    int drain(BpfRingBuffer.Records records, int max, ProbeOutput out, long deadlineNanos) {
        int n;
        do {
            n = read(records, max, out);
        } while (ring.pending() && System.nanoTime() < deadlineNanos);
        return n;
    }

    /** Whether records are published or being written. */
    boolean pending() {
        return ring.pending();
    }

    /** Events the programs have seen: read, waiting in the ring, or lost. */
    long seen() {
        return counter(SEEN);
    }

    /** The {@code u64} counter at {@code offset}, as the programs' atomic adds left it. */
    long counter(int offset) {
        return (long) COUNTER.getVolatile(counters, (long) offset);
    }

    /** Tells {@code out} the events lost since the last call. */
    void reportLost(ProbeOutput out) {
        long lost = counter(LOST);
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
