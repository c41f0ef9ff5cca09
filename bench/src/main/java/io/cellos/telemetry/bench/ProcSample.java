package io.cellos.telemetry.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * What {@code /proc} says about one process at one instant: its CPU time, each thread's context
 * switches and run time, its resident memory, and the machine's count of forks since boot. Two
 * samples of the same process, subtracted, say what it did in between.
 *
 * @param atNanos      {@link System#nanoTime()} when the sample was taken
 * @param cpuTicks     {@code utime + stime} of the whole process, threads that have exited
 *                     included, in clock ticks ({@value #TICKS_PER_SECOND} a second)
 * @param threads      the live threads by tid
 * @param vmRssKiB     {@code VmRSS}: resident memory, anonymous, file-backed and shared
 * @param vmHwmKiB     {@code VmHWM}: the highest {@code VmRSS} so far
 * @param rssAnonKiB   {@code RssAnon}: the anonymous part (heap, metaspace, stacks, code cache)
 * @param rssFileKiB   {@code RssFile}: the file-backed part (the JVM's libraries, the CDS archive)
 * @param machineForks the {@code processes} line of {@code /proc/stat}: forks on the whole machine
 *                     since boot, by anyone
 */
record ProcSample(long atNanos, long cpuTicks, Map<Integer, ThreadSample> threads, long vmRssKiB, long vmHwmKiB,
                  long rssAnonKiB, long rssFileKiB, long machineForks) {
    /** {@code USER_HZ}, the unit of {@code utime} and {@code stime}: 100 on every Linux that matters. */
    static final int TICKS_PER_SECOND = 100;

    /**
     * One thread.
     *
     * @param name        its {@code comm}
     * @param voluntary   {@code voluntary_ctxt_switches}: times it blocked, so woke again
     * @param involuntary {@code nonvoluntary_ctxt_switches}: times it was preempted
     * @param runNanos    time on a CPU, from {@code schedstat}
     */
    record ThreadSample(String name, long voluntary, long involuntary, long runNanos) {
    }

    /**
     * Samples process {@code pid}; threads that end while it is read are left out.
     *
     * @throws IOException if the process is gone
     */
    static ProcSample take(long pid) throws IOException {
        long at = System.nanoTime();
        Path dir = Path.of("/proc", Long.toString(pid));
        String stat = Files.readString(dir.resolve("stat"));
        // the fields after comm, which may hold spaces and parentheses, follow its last ')': state is
        // field 3, utime and stime are fields 14 and 15
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
        Map<Integer, ThreadSample> threads = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(dir.resolve("task"))) {
            for (Path t : tasks) {
                try {
                    Map<String, String> status = fields(t.resolve("status"));
                    long run = runNanos(t);
                    threads.put(Integer.parseInt(t.getFileName().toString()), new ThreadSample(status.get("Name"),
                            Long.parseLong(status.get("voluntary_ctxt_switches")),
                            Long.parseLong(status.get("nonvoluntary_ctxt_switches")), run));
                } catch (NoSuchFileException gone) {
                    // the thread ended between the listing and the read: it is not live
                }
            }
        }
        Map<String, String> status = fields(dir.resolve("status"));
        long forks = -1;
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("processes ")) {
                forks = Long.parseLong(line.substring(10).strip());
            }
        }
        return new ProcSample(at, ticks, threads, kib(status, "VmRSS"), kib(status, "VmHWM"), kib(status, "RssAnon"),
                kib(status, "RssFile"), forks);
    }

    /** The calling thread's time on a CPU, in ns, from its {@code schedstat}. */
    static long threadRunNanos() throws IOException {
        return runNanos(Path.of("/proc/thread-self"));
    }

    /** A task's time on a CPU, in ns: the first field of {@code TASK/schedstat}. */
    private static long runNanos(Path task) throws IOException {
        return Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
    }

    /**
     * {@code VmRSS} of process {@code pid} alone, in KiB: cheaper than {@link #take} for sampling often.
     *
     * @throws IOException if the process is gone
     */
    static long vmRssKiB(long pid) throws IOException {
        return kib(fields(Path.of("/proc", Long.toString(pid), "status")), "VmRSS");
    }

    /**
     * {@code Pss} of process {@code pid}, in KiB ({@code /proc/PID/smaps_rollup}): its resident
     * pages, each page it shares with other processes divided among them, so that the sum over
     * processes counts every page once.
     *
     * @throws IOException if the process is gone
     */
    static long pssKiB(long pid) throws IOException {
        return kib(fields(Path.of("/proc", Long.toString(pid), "smaps_rollup")), "Pss");
    }

    /**
     * When process {@code pid} started, in clock ticks since boot ({@code starttime} of {@code /proc/PID/stat}).
     *
     * @throws IOException if the process is gone
     */
    static long startTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    }

    /** The {@code Key: value} lines of a {@code /proc} file such as {@code status}. */
    private static Map<String, String> fields(Path file) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                m.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return m;
    }

    private static long kib(Map<String, String> status, String key) {
        String v = status.get(key);
        if (v == null || !v.endsWith(" kB")) {
            throw new IllegalStateException("/proc file has no " + key + " in kB: " + v);
        }
        return Long.parseLong(v.substring(0, v.length() - 3).strip());
    }

    /** CPU seconds the process used since {@code earlier}. */
    double cpuSecondsSince(ProcSample earlier) {
        return (double) (cpuTicks - earlier.cpuTicks) / TICKS_PER_SECOND;
    }

    /** Seconds of wall time since {@code earlier}. */
    double secondsSince(ProcSample earlier) {
        return (atNanos - earlier.atNanos) / 1e9;
    }

    /** Voluntary context switches (wake-ups) of all threads since {@code earlier}; a thread born since counts from 0. */
    long wakeupsSince(ProcSample earlier) {
        return growthSince(earlier, t -> t.voluntary);
    }

    /** Run time of all live threads since {@code earlier}, from {@code schedstat}: finer than the ticks. */
    long runNanosSince(ProcSample earlier) {
        return growthSince(earlier, t -> t.runNanos);
    }

    /** How much a per-thread counter grew since {@code earlier}, over the live threads; a thread born since counts from 0. */
    private long growthSince(ProcSample earlier, ToLongFunction<ThreadSample> counter) {
        long sum = 0;
        for (Map.Entry<Integer, ThreadSample> e : threads.entrySet()) {
            ThreadSample before = earlier.threads.get(e.getKey());
            sum += counter.applyAsLong(e.getValue()) - (before == null ? 0 : counter.applyAsLong(before));
        }
        return sum;
    }

    /**
     * One line per thread that ran or woke since {@code earlier}: name, tid, wake-ups, preemptions
     * and CPU time; then how many threads were idle throughout, and how many ended meanwhile.
     */
    String threadReport(ProcSample earlier) {
        StringBuilder b = new StringBuilder();
        int quiet = 0;
        for (Map.Entry<Integer, ThreadSample> e : threads.entrySet()) {
            ThreadSample now = e.getValue();
            ThreadSample before = earlier.threads.getOrDefault(e.getKey(), new ThreadSample(now.name, 0, 0, 0));
            long vol = now.voluntary - before.voluntary;
            long invol = now.involuntary - before.involuntary;
            long run = now.runNanos - before.runNanos;
            if (vol == 0 && invol == 0 && run == 0) {
                quiet++;
                continue;
            }
            b.append(String.format(Locale.ROOT, "    %-28s tid %-7d wake-ups %6d  preempted %5d  cpu %9.3f ms%s%n",
                    now.name, e.getKey(), vol, invol, run / 1e6, earlier.threads.containsKey(e.getKey()) ? "" : "  (new)"));
        }
        long ended = earlier.threads.keySet().stream().filter(t -> !threads.containsKey(t)).count();
        b.append(String.format(Locale.ROOT, "    %d other thread(s) neither woke nor ran; %d thread(s) ended meanwhile%n",
                quiet, ended));
        return b.toString();
    }

    /** {@code VmRSS, VmHWM, RssAnon, RssFile} in MiB. */
    String memoryReport() {
        return String.format(Locale.ROOT, "VmRSS %.1f MiB, VmHWM %.1f MiB (RssAnon %.1f MiB, RssFile %.1f MiB)",
                vmRssKiB / 1024.0, vmHwmKiB / 1024.0, rssAnonKiB / 1024.0, rssFileKiB / 1024.0);
    }
}
