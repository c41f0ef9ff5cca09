package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Bpf;
import io.cellos.telemetry.guest.linux.BpfRingBuffer;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.PerfEvent;
import io.cellos.telemetry.guest.linux.TraceEvent;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What an eBPF probe arms in the kernel, in one owner: a ring buffer the probe's tracepoint programs
 * write their records to, a mappable array of one element of {@code u64} counters they add to
 * atomically (read here in place, without a system call), the programs, and the perf events that
 * run them. The programs are built against the maps' fds ({@link #ringFd}, {@link #countersFd})
 * before they are {@linkplain #attach attached}.
 *
 * <p>Ownership: from {@link #open} to {@link #close}, every fd and mapping. {@link #detach} closes
 * the perf events first, so that nothing more is written, and leaves the ring to be read to its end;
 * {@link #close} then unmaps and closes the rest, in reverse order of making. Confined to one thread.
 */
final class TracepointRing implements AutoCloseable {
    private static final VarHandle COUNTER = JAVA_LONG.varHandle();

    private final int ringBytes;
    private final List<Fd> owned = new ArrayList<>();
    private final List<Fd> attachments = new ArrayList<>();
    private Fd ringMap;
    private Fd counterMap;
    private MemorySegment counters;
    private BpfRingBuffer ring;

    private TracepointRing(int ringBytes) {
        this.ringBytes = ringBytes;
    }

    /**
     * Creates the ring of {@code ringBytes} (a power of two, at least a page) and the counters of
     * {@code counterBytes}, named {@code name} and {@code name + "_cnt"} for {@code bpftool} (the
     * longer at most 15 bytes), and maps both.
     *
     * @throws ErrnoException naming the call that failed; nothing is left open
     */
    static TracepointRing open(String name, int ringBytes, int counterBytes) throws ErrnoException {
        TracepointRing r = new TracepointRing(ringBytes);
        try {
            r.ringMap = r.own(Bpf.createMap(Bpf.MAP_TYPE_RINGBUF, 0, 0, ringBytes, 0, name));
            r.counterMap = r.own(Bpf.createMap(Bpf.MAP_TYPE_ARRAY, 4, counterBytes, 1, Bpf.MAP_F_MMAPABLE, name + "_cnt"));
            r.counters = Libc.mmap(counterBytes, Libc.PROT_READ, Libc.MAP_SHARED, r.counterMap.get(), 0,
                    name + "_cnt values");
            r.ring = new BpfRingBuffer(r.ringMap, ringBytes);
            return r;
        } catch (ErrnoException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** The ring map's fd: for the programs' {@code ld_imm64}, and readable while records wait. */
    int ringFd() {
        return ringMap.get();
    }

    /** The counters map's fd, for the programs' {@code ld_imm64}. */
    int countersFd() {
        return counterMap.get();
    }

    /**
     * Loads {@code program} as a tracepoint program named {@code name} and runs it on {@code tp}.
     *
     * @throws io.cellos.telemetry.guest.linux.BpfLoadException with the verifier's log if it is refused
     * @throws ErrnoException naming the call that failed
     */
    void attach(TraceEvent tp, EbpfProgram program, String name) throws IOException {
        Fd prog = own(Bpf.loadProgram(Bpf.PROG_TYPE_TRACEPOINT, program, name));
        attachments.add(PerfEvent.attach(tp, prog));
    }

    /** Hands over at most {@code max} records ({@link BpfRingBuffer#read}); allocates nothing. */
    int read(BpfRingBuffer.Records records, int max) {
        return ring.read(records, max);
    }

    /** Whether records are published, or being written, that were not read. */
    boolean pending() {
        return ring.pending();
    }

    /** The {@code u64} counter at {@code offset}, as the programs' atomic adds left it. */
    long counter(int offset) {
        return (long) COUNTER.getVolatile(counters, (long) offset);
    }

    /** Stops the programs: nothing more is written; what is in the ring stays to be read. */
    void detach() {
        attachments.forEach(Fd::close);
        attachments.clear();
    }

    private Fd own(Fd fd) {
        owned.add(fd);
        return fd;
    }

    /** Detaches, unmaps and closes everything; the kernel unloads the programs and frees the maps. */
    @Override
    public void close() {
        detach();
        if (ring != null) {
            ring.close();
            ring = null;
        }
        if (counters != null) {
            Libc.munmap(counters);
            counters = null;
        }
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
