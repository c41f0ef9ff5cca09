package io.cellos.telemetry.bench;

import io.cellos.telemetry.guest.probe.Probe;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The workload's tax: how much longer a command takes, start to exit, while a probe observes the
 * machine, against no probe, measured in one run and interleaved so that drift in the machine's
 * load falls on every mechanism alike. A mechanism's probes run on one epoll loop of their own
 * thread, as in the agent ({@link PidObserver}), and are armed and closed around each run of the
 * command.
 *
 * <p>Usage: {@code WorkloadTax [ROUNDS] [MECHANISMS] [-- COMMAND...]}. MECHANISMS is a comma list of
 * the sets of {@link Mechanisms}: {@code none}, {@code audit} (the agent's audit mechanism: the
 * audit probe and the process connector), {@code bpf} (the agent's bpf mechanism: the three eBPF
 * probes), {@code ebpf} (the eBPF process probe alone), {@code audit-probe}, {@code connector};
 * default {@code none,audit,bpf}. ROUNDS defaults to 5; the command to
 * {@code dd if=/dev/zero of=/dev/null bs=1 count=2000000} (four million system calls). Each round
 * runs every mechanism once, in an order rotated by the round, after one untimed run of the command
 * that warms the page cache. Prints each run, then the median
 * per mechanism and its ratio to {@code none}'s. Run as root, with nothing else loading the machine.
 */
public final class WorkloadTax {
    private WorkloadTax() {
    }

    public static void main(String[] args) throws Exception {
        int dash = Arrays.asList(args).indexOf("--");
        List<String> own = Arrays.asList(args).subList(0, dash < 0 ? args.length : dash);
        List<String> command = dash < 0 ? List.of("dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=2000000")
                : Arrays.asList(args).subList(dash + 1, args.length);
        int rounds = own.isEmpty() ? 5 : Integer.parseInt(own.get(0));
        List<String> names = List.of((own.size() > 1 ? own.get(1) : "none,audit,bpf").split(","));
        Map<String, List<Double>> seconds = measure(rounds, names, command, System.out);
        Spread base = seconds.containsKey("none") ? Spread.of(seconds.get("none")) : null;
        for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
            Spread m = Spread.of(e.getValue());
            System.out.printf(Locale.ROOT, "%-11s median %.3f s  min %.3f  max %.3f  ratio to none %.3f  runs %s%n",
                    e.getKey(), m.median(), m.min(), m.max(), base == null ? Double.NaN : m.median() / base.median(),
                    e.getValue().stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).toList());
        }
    }

    /**
     * Runs {@code command} once untimed (so that the page cache is as warm for the first mechanism as
     * for the rest), then {@code rounds} times under each of the mechanisms {@code names}, in an
     * order rotated by the round, printing each run to {@code out}.
     *
     * @return each mechanism's run times in seconds, in round order, keyed in the order of {@code names}
     * @throws IllegalArgumentException on an unknown mechanism or fewer than one round
     * @throws IllegalStateException    if the command fails
     */
    static Map<String, List<Double>> measure(int rounds, List<String> names, List<String> command, PrintStream out)
            throws Exception {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        names.forEach(Mechanisms::check);
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        names.forEach(n -> seconds.put(n, new ArrayList<>()));
        out.println("command: " + String.join(" ", command) + "; rounds: " + rounds);
        out.printf(Locale.ROOT, "warm-up (not counted) %.3f s%n", timed(List.of(), command));
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get((i + r) % names.size());
                double s = timed(Mechanisms.probes(name), command);
                seconds.get(name).add(s);
                out.printf(Locale.ROOT, "round %d %-11s %.3f s%n", r + 1, name, s);
            }
        }
        return seconds;
    }

    /** Runs {@code command} to its end while {@code probes} (if any) observe; its seconds. */
    private static double timed(List<Probe> probes, List<String> command) throws Exception {
        PidObserver observer = probes.isEmpty() ? null : new PidObserver(probes);
        try {
            if (observer != null) {
                observer.awaitArmed();
            }
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int status = p.waitFor();
            long t1 = System.nanoTime();
            if (status != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + status);
            }
            return (t1 - t0) / 1e9;
        } finally {
            if (observer != null) {
                observer.close();
            }
        }
    }
}
