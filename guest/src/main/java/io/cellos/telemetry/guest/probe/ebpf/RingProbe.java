package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.BpfRingBuffer;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.io.IOException;

/**
 * A probe whose eBPF programs write records to one {@link CountedRing}: the arming, reading,
 * finishing and closing every such probe does alike; what is loaded, and what a record means, are
 * the probe's ({@link #load}, {@link #handle}).
 *
 * <p>Confined to the loop thread, which the ring's fd wakes level-triggered (when its programs'
 * {@link WakeWindow} lets them wake it at all); at most
 * {@value #RECORDS_PER_WAKEUP} records per wake-up. Owns, from {@link #arm} to {@link #close}, the
 * ring and what {@link #programs} holds: closing it detaches and unloads all. Holds the kernel's BTF
 * it was made with only until {@link #arm} ends ({@link KernelBtf}).
 */
abstract class RingProbe implements Probe {
    static final int RECORDS_PER_WAKEUP = 1024;

    /** The programs, their attachments and the maps beside the ring, closed with the probe. */
    final AttachedPrograms programs = new AttachedPrograms();
    private final String description;
    private final int ringBytes;
    private final int counterBytes;
    private final String ringName;
    private final WakeWindow window;
    private final RingRecord record = new RingRecord();
    private final BpfRingBuffer.Records handler = (data, at, length) -> {
        record.load(data, at, length);
        handle(this.out, record);
    };
    /** The kernel's BTF, until {@link #arm} takes it. */
    private KernelBtf kernelTypes;
    private CountedRing ring;
    /** Where the read under way emits. */
    private ProbeOutput out;
    private boolean leftUnread;

    /**
     * @param description  what it watches, for messages ({@link #description})
     * @param ringBytes    the ring's size: a power of two, at least a page
     * @param counterBytes the ring's counters, at least {@value CountedRing#COUNTERS_BYTES}
     * @param ringName     the ring's name for {@code bpftool} ({@link CountedRing})
     * @param kernelTypes  the kernel's BTF, held until {@link #arm} ends
     * @param window       when the programs wake the reader ({@link WakeWindow}), shared by the
     *                     probes of one loop, which owns it
     */
    RingProbe(String description, int ringBytes, int counterBytes, String ringName, KernelBtf kernelTypes,
              WakeWindow window) {
        this.description = description;
        this.ringBytes = ringBytes;
        this.counterBytes = counterBytes;
        this.ringName = ringName;
        this.kernelTypes = kernelTypes;
        this.window = window;
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * Takes the kernel's BTF and {@linkplain #load loads} the probe; if that fails, closes it, so
     * that a probe that could not be armed holds nothing.
     *
     * @throws IllegalStateException if it is armed already
     * @throws IOException           as {@link #load} says
     */
    @Override
    public final void arm() throws IOException {
        if (ring != null) {
            throw new IllegalStateException(description() + " is armed already");
        }
        KernelBtf types = kernelTypes;
        kernelTypes = new KernelBtf(); // held no longer than the arming: a later arm reads its own
        try {
            load(types);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        if (ring == null) {
            throw new IllegalStateException(description() + " loaded without a ring");
        }
    }

    /**
     * Makes the ring ({@link #openRing}), loads the programs and runs them ({@link #programs}), reading
     * the kernel's BTF from {@code types} if it needs it. Whatever it made is closed by {@link #arm}
     * if it throws.
     */
    abstract void load(KernelBtf types) throws IOException;

    /**
     * Makes the probe's ring, of the size, counters, name and window it was made with, which the
     * probe owns from now on (the window's map is made with the first ring).
     *
     * @throws ErrnoException naming the map or mapping that failed; nothing is left behind
     */
    final CountedRing openRing() throws ErrnoException {
        ring = new CountedRing(ringBytes, counterBytes, ringName, window);
        return ring;
    }

    /** Handles one record, emitting to {@code out}; {@code record} is valid during the call only. */
    abstract void handle(ProbeOutput out, RingRecord record);

    @Override
    public final int fd() {
        return ring.fd();
    }

    @Override
    public final void onReadable(ProbeOutput out) {
        this.out = out;
        int n = ring.read(handler, RECORDS_PER_WAKEUP, out);
        leftUnread = n == RECORDS_PER_WAKEUP && ring.pending();
    }

    /**
     * Detaches the programs, so that nothing more is seen, then reads until the ring is empty (or
     * until {@code deadlineNanos}) and reports the last losses: after it, {@link #seen} is final and
     * equals what was handed over plus what was reported lost.
     */
    @Override
    public final void finish(ProbeOutput out, long deadlineNanos) {
        programs.detach();
        this.out = out;
        int n = ring.drain(handler, RECORDS_PER_WAKEUP, out, deadlineNanos);
        leftUnread = n == RECORDS_PER_WAKEUP && ring.pending();
    }

    /**
     * Whether records wait in the ring: read in a memory load, no system call. Under a
     * {@link WakeWindow} the programs may leave them without waking the loop, which then reads the
     * ring in its next wake, whatever woke it.
     */
    @Override
    public final boolean recordsWaiting() {
        return ring.pending();
    }

    /** Whether the last read stopped at {@value #RECORDS_PER_WAKEUP} records with more in the ring. */
    @Override
    public final boolean stoppedAtBound() {
        return leftUnread;
    }

    /** How many events the programs have seen: those read, those waiting in the ring, and those lost. */
    public long seen() {
        return ring.seen();
    }

    /** The ring, for a probe's own counters; valid after {@link #arm}. */
    final CountedRing ring() {
        return ring;
    }

    @Override
    public final void close() {
        programs.close();
        if (ring != null) {
            ring.close();
            ring = null;
        }
    }
}
