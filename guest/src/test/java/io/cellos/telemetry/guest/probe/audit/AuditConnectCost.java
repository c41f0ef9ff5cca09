package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.wire.ProbeSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the audit probe costs: how long a process takes for 10,000 loopback TCP connects (connect,
 * close, accept, close) and for 1,000,000 {@code getppid(2)} calls — the tax that enabled audit
 * puts on every system call, audited or not — with the probe off and armed, and the CPU the probe's
 * loop thread spends per connect. Rounds alternate off and armed so that drift on a shared machine
 * hits both alike; each round is printed, then the minimum and median of each (the minimum is the
 * better estimate of what the set-up itself costs). A measurement, not a test: its numbers go to
 * the README, never into an assertion.
 *
 * <p>Run as root, from the repository root, after {@code mvn -pl guest -am test-compile}:
 * <pre>java --enable-native-access=ALL-UNNAMED \
 *   -cp guest/target/classes:guest/target/test-classes:wire/target/classes \
 *   io.cellos.telemetry.guest.probe.audit.AuditConnectCost [rounds]</pre>
 */
public final class AuditConnectCost {
    private static final String PYTHON = "/usr/bin/python3";
    private static final int CONNECTS = 10_000;
    private static final int SYSCALLS = 1_000_000;
    /** {@code sysconf(_SC_CLK_TCK)} on Linux: {@code /proc} counts CPU time in hundredths of a second. */
    private static final long MICROS_PER_TICK = 10_000;
    private static final String CONNECT_LOOP = """
            import socket, sys, time
            l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(128); a = l.getsockname()
            t = time.perf_counter_ns()
            for i in range(int(sys.argv[1])):
                c = socket.socket(); c.connect(a); c.close(); l.accept()[0].close()
            print(time.perf_counter_ns() - t)
            """;
    private static final String SYSCALL_LOOP = """
            import os, sys, time
            f = os.getppid
            t = time.perf_counter_ns()
            for i in range(int(sys.argv[1])):
                f()
            print(time.perf_counter_ns() - t)
            """;

    private AuditConnectCost() {
    }

    private record Run(long pid, long nanos) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Double> connectOff = new ArrayList<>();
        List<Double> connectArmed = new ArrayList<>();
        List<Double> syscallOff = new ArrayList<>();
        List<Double> syscallArmed = new ArrayList<>();
        List<Double> probeCpu = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            connectOff.add(perConnectMicros(loop(CONNECT_LOOP, CONNECTS)));
            syscallOff.add(perSyscallNanos(loop(SYSCALL_LOOP, SYSCALLS)));
            System.out.printf("  off    %8.2f µs/connect %8.1f ns/getppid%n", connectOff.getLast(), syscallOff.getLast());
            try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
                long cpuBefore = loopThreadCpuMicros();
                Run connects = loop(CONNECT_LOOP, CONNECTS);
                long declared = h.await(e -> e.source() == ProbeSource.NET_CONNECT_ATTEMPTED
                        && e.guestPid() == connects.pid(), CONNECTS, Duration.ofSeconds(60)).size();
                probeCpu.add((double) (loopThreadCpuMicros() - cpuBefore) / CONNECTS);
                connectArmed.add(perConnectMicros(connects));
                syscallArmed.add(perSyscallNanos(loop(SYSCALL_LOOP, SYSCALLS)));
                System.out.printf("  armed  %8.2f µs/connect %8.1f ns/getppid %6.1f µs probe CPU/connect;"
                                + " declared %d of %d, %d lost%n", connectArmed.getLast(), syscallArmed.getLast(),
                        probeCpu.getLast(), declared, CONNECTS, h.lost());
            }
        }
        System.out.println("                  min / median");
        summary("connect, off", connectOff, "µs");
        summary("connect, armed", connectArmed, "µs");
        summary("getppid, off", syscallOff, "ns");
        summary("getppid, armed", syscallArmed, "ns");
        summary("probe CPU/connect", probeCpu, "µs");
    }

    private static double perConnectMicros(Run r) {
        return r.nanos() / 1000.0 / CONNECTS;
    }

    private static double perSyscallNanos(Run r) {
        return (double) r.nanos() / SYSCALLS;
    }

    private static Run loop(String script, int count) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON, "-c", script, Integer.toString(count))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (p.waitFor() != 0) {
            throw new IOException("the measuring process failed: " + out);
        }
        return new Run(p.pid(), Long.parseLong(out));
    }

    /** User and system CPU of this process's thread named {@code probe-harness}, the probe's loop. */
    private static long loopThreadCpuMicros() throws IOException {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                if (Files.readString(task.resolve("comm")).strip().equals("probe-harness")) {
                    String stat = Files.readString(task.resolve("stat"));
                    // fields after the parenthesised comm: state is field 3, utime 14 and stime 15
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * MICROS_PER_TICK;
                }
            }
        }
        throw new IOException("no probe-harness thread in /proc/self/task");
    }

    private static void summary(String what, List<Double> values, String unit) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        double median = v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
        System.out.printf("%-18s %8.2f / %8.2f %s%n", what, v.getFirst(), median, unit);
    }
}
