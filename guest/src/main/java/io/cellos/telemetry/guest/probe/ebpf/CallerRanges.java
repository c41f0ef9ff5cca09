package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Kallsyms;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the kernel functions the capability program tells its callers by lie
 * ({@link CapabilityPrograms#SILENT_CALLERS} and {@link CapabilityPrograms#SOCKET_CREATORS}, from
 * {@code /proc/kallsyms}), read on a thread of their own from {@link #startReading}: the read takes
 * 100–200 ms of a cold JVM, which the agent's own start (its first native calls, the probes armed
 * before the capability probe) then overlaps instead of waiting for.
 *
 * <p>Thread-safe: one thread reads, any may {@link #get}. The reading thread ends once it has read.
 */
public final class CallerRanges {
    private final Thread reader;
    private volatile List<Kallsyms.Range> ranges;
    private volatile IOException failure;

    private CallerRanges() {
        reader = Thread.ofPlatform().daemon().name("cellos-kallsyms").unstarted(this::read);
    }

    /** Starts reading now. */
    public static CallerRanges startReading() {
        CallerRanges r = new CallerRanges();
        r.reader.start();
        return r;
    }

    private void read() {
        try {
            ranges = Kallsyms.functions(Stream.concat(CapabilityPrograms.SILENT_CALLERS.stream(),
                    CapabilityPrograms.SOCKET_CREATORS.stream()).toList());
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(Kallsyms.PROC_KALLSYMS + ": " + e.getMessage(), e);
        }
    }

    /**
     * The ranges, once read.
     *
     * @throws IOException if {@code /proc/kallsyms} could not be read or shows no addresses
     */
    List<Kallsyms.Range> get() throws IOException {
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + Kallsyms.PROC_KALLSYMS);
        }
        if (failure != null) {
            throw failure;
        }
        return ranges;
    }
}
