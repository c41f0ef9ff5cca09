package io.cellos.telemetry.bench;

import java.util.Locale;

/**
 * What one ingest round measured. CPU percentages are of one core, as {@code top} shows them: on
 * a 2-core machine the process can reach 200 %. {@code loops} is the receiver's I/O threads,
 * {@code loop sys} the part of that in the kernel.
 *
 * @param frames         frames sent, and events emitted
 * @param wallNanos      from the guests' first write until the receiver had emitted every event
 * @param spent          what the process spent over that time
 * @param guestCpuNanos  CPU time of the load generator's threads
 * @param bytesIn        frame bytes the guests wrote
 * @param bytesOut       bytes of JSON lines the sink wrote (or dropped)
 */
record IngestResult(long frames, long wallNanos, ResourceSnapshot spent, long guestCpuNanos, long bytesIn,
                    long bytesOut) {
    /** The column names of {@link #row()}. */
    static final String HEADER = String.format(Locale.ROOT, "%-8s %12s %8s %9s %9s %8s %8s %8s %6s %7s %9s %9s",
            "round", "frames/s", "wall s", "in MB/s", "out MB/s", "proc CPU", "loops", "loop sys", "guests", "GCs",
            "GC ms", "alloc B/f");

    double framesPerSecond() {
        return frames * 1e9 / wallNanos;
    }

    /** One line of the results table, labelled {@code label}. */
    String row(String label) {
        double s = wallNanos / 1e9;
        return String.format(Locale.ROOT, "%-8s %12.0f %8.2f %9.1f %9.1f %7.0f%% %7.0f%% %7.0f%% %5.0f%% %7d %9d %9.0f",
                label, framesPerSecond(), s, bytesIn / s / 1e6, bytesOut / s / 1e6,
                percent(spent.processCpuNanos()), percent(spent.loopCpuNanos()),
                percent(spent.loopCpuNanos() - spent.loopUserNanos()), percent(guestCpuNanos),
                spent.gcCount(), spent.gcMillis(), (double) spent.loopAllocatedBytes() / frames);
    }

    private double percent(long cpuNanos) {
        return 100.0 * cpuNanos / wallNanos;
    }
}
