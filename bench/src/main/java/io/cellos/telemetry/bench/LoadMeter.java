package io.cellos.telemetry.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Measures the machine's load around one figure: {@code /proc/loadavg} before and after, the CPU
 * steal of {@code /proc/stat} in between, and the CPU that other processes used in between.
 *
 * <p>"Other" is every user process outside the benchmark: not this JVM's descendants (by their
 * parent chain, read from {@code /proc} at each end) and not in this JVM's session (an agent the
 * harness launched outlives its launcher and is re-parented, but keeps the session). Kernel
 * threads are left out: their work is mostly done on behalf of the figure. A process seen at both
 * ends counts its CPU time's growth, one seen only at the end all its CPU time; one that began and
 * ended in between is not seen, so the figure is a lower bound — enough to tell a compiler or a
 * test suite running beside the benchmark.
 *
 * <p>Not thread-safe; one meter per figure.
 */
final class LoadMeter {
    /** {@code PF_KTHREAD} in the flags field of {@code /proc/PID/stat}. */
    private static final long PF_KTHREAD = 0x00200000;

    private final double loadBefore;
    private final long startNanos;
    private final long[] cpuBefore;
    private final Map<Integer, Cpu> othersBefore;

    /** One process's CPU time and identity ({@code starttime}, so that a reused pid is not taken for the same process). */
    private record Cpu(long startTime, long ticks) {
    }

    /** A line of {@code /proc/PID/stat}, the fields this meter uses. */
    private record Stat(int pid, int ppid, int session, long flags, long ticks, long startTime) {
    }

    private LoadMeter() throws IOException {
        loadBefore = loadAverage();
        cpuBefore = machineCpu();
        othersBefore = others();
        startNanos = System.nanoTime();
    }

    /** Starts measuring now. */
    static LoadMeter start() throws IOException {
        return new LoadMeter();
    }

    /** What the machine did since {@link #start}. */
    Load stop() throws IOException {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<Integer, Cpu> othersAfter = others();
        long[] cpuAfter = machineCpu();
        long ticks = 0;
        for (Map.Entry<Integer, Cpu> e : othersAfter.entrySet()) {
            Cpu before = othersBefore.get(e.getKey());
            boolean same = before != null && before.startTime() == e.getValue().startTime();
            ticks += e.getValue().ticks() - (same ? before.ticks() : 0);
        }
        long total = cpuAfter[0] - cpuBefore[0];
        long steal = cpuAfter[1] - cpuBefore[1];
        return new Load(loadBefore, loadAverage(), seconds,
                seconds <= 0 ? 0 : 100.0 * ticks / ProcSample.TICKS_PER_SECOND / seconds,
                total <= 0 ? 0 : 100.0 * steal / total);
    }

    /** The 1-minute load average. */
    static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /** All CPUs' time since boot, and its {@code steal} part, in ticks (the {@code cpu} line of {@code /proc/stat}). */
    private static long[] machineCpu() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length && i <= 8; i++) { // user … steal; guest time is already in user
                    total += Long.parseLong(f[i]);
                }
                return new long[] {total, f.length > 8 ? Long.parseLong(f[8]) : 0};
            }
        }
        throw new IOException("/proc/stat has no cpu line");
    }

    /** The CPU time of every user process outside the benchmark, by pid. */
    private static Map<Integer, Cpu> others() throws IOException {
        Map<Integer, Stat> all = new HashMap<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> isPid(p.getFileName().toString()))) {
            for (Path p : proc) {
                Stat s = stat(p);
                if (s != null) {
                    all.put(s.pid(), s);
                }
            }
        }
        long self = ProcessHandle.current().pid();
        Stat me = all.get((int) self);
        Set<Integer> ours = new HashSet<>();
        Map<Integer, Cpu> others = new HashMap<>();
        for (Stat s : all.values()) {
            if ((s.flags() & PF_KTHREAD) != 0 || (me != null && s.session() == me.session())
                    || descends(s.pid(), (int) self, all, ours)) {
                continue;
            }
            others.put(s.pid(), new Cpu(s.startTime(), s.ticks()));
        }
        return others;
    }

    /** Whether {@code pid}'s parent chain reaches {@code ancestor}; remembers the pids found to. */
    private static boolean descends(int pid, int ancestor, Map<Integer, Stat> all, Set<Integer> known) {
        int p = pid;
        for (int depth = 0; depth < 64 && p > 1; depth++) {
            if (p == ancestor || known.contains(p)) {
                known.add(pid);
                return true;
            }
            Stat s = all.get(p);
            if (s == null) {
                return false;
            }
            p = s.ppid();
        }
        return false;
    }

    private static boolean isPid(String name) {
        return !name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** {@code /proc/PID/stat}, or null if the process is gone. */
    private static Stat stat(Path dir) throws IOException {
        String line;
        try {
            line = Files.readString(dir.resolve("stat"));
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            if (!Files.exists(dir)) {
                return null; // ended while read (ESRCH)
            }
            throw e;
        }
        // the fields after comm, which may hold spaces and parentheses, follow its last ')': state is
        // field 3, ppid 4, session 6, flags 9, utime 14, stime 15, starttime 22
        String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return new Stat(Integer.parseInt(dir.getFileName().toString()), Integer.parseInt(f[1]), Integer.parseInt(f[3]),
                Long.parseLong(f[6]), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19]));
    }
}
