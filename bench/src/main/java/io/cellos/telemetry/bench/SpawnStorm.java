package io.cellos.telemetry.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Spawn storm: N short-lived processes at the fastest rate this machine sustains, watched at once
 * by the observers asked for — by default the netlink connector probe, the {@code /proc} walk
 * probe (the reference's 100 ms poll) and Debian's {@code forkstat}; prints the fraction of the
 * processes each one saw, in {@code exec} mode the fraction whose exec it named {@code /bin/true}
 * (a path ending in {@code /true}), and the observations it reported lost.
 *
 * <p>Usage: {@code SpawnStorm [N] [fork|exec] [GENERATORS] [IN_FLIGHT] [OBSERVERS]} — {@code fork}:
 * children that exit at once; {@code exec}: children that exec {@code /bin/true}; GENERATORS perl
 * workers (default 2) each keep up to IN_FLIGHT children alive at once (default 2), see
 * {@link SpawnPlan}; OBSERVERS a comma list of sets of {@link Mechanisms} (each on its own loop,
 * e.g. {@code bpf} or {@code audit}, the agent's two mechanisms) and {@code forkstat}, default
 * {@code connector,walk,forkstat}. The rate printed is the children over the whole run of the
 * generator, its start-up included. Run as root.
 */
public final class SpawnStorm {
    /** The observer name that runs Debian's {@code forkstat} rather than probes. */
    static final String FORKSTAT = "forkstat";

    private SpawnStorm() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String mode = args.length > 1 ? args[1] : "fork";
        if (!mode.equals("fork") && !mode.equals("exec")) {
            throw new IllegalArgumentException("mode must be fork or exec, got '" + mode + "'");
        }
        SpawnPlan plan = new SpawnPlan(n, mode.equals("exec"), args.length > 2 ? Integer.parseInt(args[2]) : 2,
                args.length > 3 ? Integer.parseInt(args[3]) : 2, 0, true);
        List<String> names = List.of((args.length > 4 ? args[4] : "connector,walk,forkstat").split(","));
        Result r = run(plan, names, System.out);
        System.out.printf(Locale.ROOT, "%d processes (%s) in %.2f s = %.0f processes/s%n", r.started(), mode,
                r.seconds(), r.started() / r.seconds());
        if (r.distinct() != r.started()) {
            // the kernel reused pids within the run: each pid is judged once, by whether it was seen at all
            System.out.println("pids reused within the run: fractions below are of " + r.distinct() + " distinct pids");
        }
        r.observers().forEach((who, o) -> {
            System.out.printf(Locale.ROOT, "%-28s saw %6d of %6d = %7.3f %%, missed %d%s%n",
                    who.equals(FORKSTAT) ? "forkstat (Debian)" : who, o.seen(), r.distinct(), r.percentSeen(who),
                    r.distinct() - o.seen(), o.lost() >= 0 ? "  (reported lost: " + o.lost() + ")" : "");
            if (plan.exec() && o.named() >= 0) {
                System.out.printf(Locale.ROOT, "%-28s named the exec of %6d of %6d = %7.3f %%%n", "", o.named(),
                        r.distinct(), 100.0 * o.named() / r.distinct());
            }
        });
    }

    /**
     * What one observer made of a storm.
     *
     * @param seen  children it declared spawned (each distinct pid once)
     * @param named children whose exec it declared with a path ending in {@code /true}; -1 where it
     *              does not name execs ({@code forkstat}) or the storm did not exec
     * @param lost  observations it reported lost; -1 where it reports none ({@code forkstat})
     */
    record Observed(long seen, long named, long lost) {
    }

    /**
     * A storm's outcome.
     *
     * @param started   children the generator started
     * @param distinct  distinct pids among them (the kernel may reuse one within a run)
     * @param seconds   the generator's whole run, its start-up included
     * @param observers by name, in the order asked for
     */
    record Result(int started, int distinct, double seconds, Map<String, Observed> observers) {
        /** The share of the distinct children {@code observer} saw, in %. */
        double percentSeen(String observer) {
            return 100.0 * observers.get(observer).seen() / distinct;
        }
    }

    /**
     * Runs {@code plan} (which must print its pids) watched by {@code names}, each a set of {@link
     * Mechanisms} on its own loop or {@link #FORKSTAT}; progress goes to {@code report}.
     *
     * @throws IllegalArgumentException on an unknown observer, or a plan that prints no pids
     * @throws IllegalStateException    if the generator fails
     */
    static Result run(SpawnPlan plan, List<String> names, PrintStream report) throws Exception {
        if (!plan.printPids()) {
            throw new IllegalArgumentException("a storm needs the children's pids: " + plan);
        }
        names.stream().filter(x -> !x.equals(FORKSTAT)).forEach(Mechanisms::check);
        Map<String, PidObserver> observers = new LinkedHashMap<>();
        Process forkstat = null;
        Thread reader = null;
        Set<Integer> forkstatSeen = new HashSet<>();
        try {
            for (String name : names) {
                if (name.equals(FORKSTAT)) {
                    Process fsp = new ProcessBuilder("forkstat", "-l", "-e", "fork").redirectErrorStream(true).start();
                    forkstat = fsp;
                    reader = Thread.ofPlatform().start(() -> readForkstat(fsp, forkstatSeen));
                } else {
                    observers.put(name, new PidObserver(Mechanisms.probes(name)));
                }
            }
            List<String> armed = new ArrayList<>();
            for (Map.Entry<String, PidObserver> o : observers.entrySet()) {
                armed.add(o.getKey() + ": " + o.getValue().awaitArmed());
            }
            report.println("armed: " + String.join(" | ", armed));
            Thread.sleep(1_000); // forkstat is up
            report.println("workload: " + plan);
            long t0 = System.nanoTime();
            Process gen = new ProcessBuilder(plan.command()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Set<Integer> children = new HashSet<>();
            int started = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(gen.getInputStream(), StandardCharsets.US_ASCII))) {
                String line;
                while ((line = r.readLine()) != null) {
                    children.add(Integer.parseInt(line.strip()));
                    started++;
                }
            }
            if (gen.waitFor() != 0) {
                throw new IllegalStateException("the generator exited with status " + gen.exitValue());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(1_500); // let every observer catch up (the walk polls every 100 ms)
            Map<String, Observed> seen = new LinkedHashMap<>();
            for (String name : names) {
                PidObserver o = observers.get(name);
                if (o != null) {
                    seen.put(name, new Observed(o.seen(children), plan.exec() ? o.named(children, "/true") : -1, o.lost()));
                } else {
                    forkstat.destroy();
                    forkstat.waitFor(10, TimeUnit.SECONDS);
                    reader.join();
                    synchronized (forkstatSeen) {
                        seen.put(name, new Observed(children.stream().filter(forkstatSeen::contains).count(), -1, -1));
                    }
                }
            }
            return new Result(started, children.size(), seconds, seen);
        } finally {
            if (forkstat != null) {
                forkstat.destroy();
            }
            for (PidObserver o : observers.values()) {
                o.close();
            }
        }
    }

    /** forkstat prints {@code TIME fork PID child ...} for each new process. */
    private static void readForkstat(Process p, Set<Integer> seen) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[1].equals("fork") && f[3].equals("child")) {
                    synchronized (seen) {
                        seen.add(Integer.parseInt(f[2]));
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("reading forkstat's output", e);
        }
    }
}
