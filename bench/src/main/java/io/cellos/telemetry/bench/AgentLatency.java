package io.cellos.telemetry.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Event to CloudEvent latency of the real agent: for each event, the receiver's
 * {@code CLOCK_MONOTONIC} when it emitted the CloudEvent minus the event's
 * {@code guest_monotonic_ns} (see {@link ArrivalLog}), while an {@link AgentRig}'s scoped shell
 * runs a paced workload of short processes (spawn, exec of {@code /bin/true}, exit: three events
 * each).
 *
 * <p>A warm-up of {@code --warmup-seconds} at the same rate comes first and is left out. The
 * figures are per event type, because the stamps differ in kind: {@code process.spawned} and
 * {@code process.exited} carry the process connector's kernel stamp (taken when the kernel made
 * the event), {@code process.exec} carries audit's wall-clock stamp in milliseconds, converted by
 * the agent to {@code CLOCK_MONOTONIC} (its error, up to a few ms of truncation and coarse-clock
 * lag, is in its figures).
 *
 * <p>Usage: {@link #USAGE}. Run as root, from the project directory (for the default classpath).
 */
public final class AgentLatency {
    private static final String[] PROCESS_EVENTS = {"process.spawned", "process.exec", "process.exited"};

    static final String USAGE = """
            usage: AgentLatency [--per-second 333] [--seconds 30] [--warmup-seconds 5] [--in-flight 4]
                                [--agent-classpath cli/target/cellos.jar] [--agent-main io.cellos.telemetry.cli.Main]
                                [--guest-image none|DIR] [--probe-mechanism default|auto|bpf|audit]
                                [--batch-window default|D]
              Starts the real agent against a receiver in this process and has a scoped shell run
              --per-second short processes (each exec /bin/true) for --seconds after a warm-up; prints
              the delay from each event's stamp to its CloudEvent (p50, p90, p99, p99.9, max) per event
              type. --guest-image DIR starts the agent by that image's launcher, runtime and flags;
              --probe-mechanism and --batch-window are passed to the agent ('default' passes none).
              Run as root, from the project directory.""";
    /** Every flag, with its default. */
    private static final Map<String, String> FLAGS = AgentRig.withAgentOptions(Map.of("per-second", "333", "seconds",
            "30", "warmup-seconds", "5", "in-flight", "4"));

    private AgentLatency() {
    }

    public static void main(String[] args) throws Exception {
        HarnessFlags.checkForMain("AgentLatency", USAGE, args, FLAGS);
        measure(args, System.out, System.err);
    }

    /**
     * What one run measured.
     *
     * @param kernelDelays the delays (ns), sorted, of the events whose stamp is the kernel's
     *                     ({@code process.spawned} and {@code process.exited})
     * @param eventsPerSecond the workload's rate of process events
     * @param received     process events of the measured phase received
     * @param expected     process events the measured phase should have made
     */
    record Result(long[] kernelDelays, double eventsPerSecond, int received, int expected) {
        /** The nearest-rank percentile {@code q} (0 < q <= 1) of the kernel-stamped delays, in ms; NaN if there are none. */
        double percentileMs(double q) {
            return kernelDelays.length == 0 ? Double.NaN : pct(kernelDelays, q);
        }
    }

    /**
     * One run, as {@link #main} with {@code args}, its report written to {@code out}, the receiver's
     * warnings and what the agent said on standard error to {@code err}.
     *
     * @throws IllegalArgumentException on a bad argument
     */
    static Result measure(String[] args, PrintStream out, PrintStream err) throws Exception {
        HarnessFlags f = HarnessFlags.parse(args, FLAGS);
        out.println("AgentLatency " + f);
        int rate = f.integer("per-second");
        try (AgentRig rig = AgentRig.start(f, Duration.ofSeconds(2), err)) {
            out.println(rig.readiness());
            ArrivalLog log = rig.log();
            run(rig, new SpawnPlan(rate * f.integer("warmup-seconds"), true, 1, f.integer("in-flight"), rate, false), out);

            SpawnPlan plan = new SpawnPlan(rate * f.integer("seconds"), true, 1, f.integer("in-flight"), rate, false);
            int[] from = new int[PROCESS_EVENTS.length];
            for (int i = 0; i < from.length; i++) {
                from[i] = log.count(PROCESS_EVENTS[i]);
            }
            double seconds = run(rig, plan, out);
            out.printf(Locale.ROOT, "%s: %.2f s = %.0f processes/s, about %.0f events/s%n", plan, seconds,
                    plan.count() / seconds, plan.count() * plan.eventsPerChild() / seconds);
            out.printf(Locale.ROOT, "%-34s %7s %9s %9s %9s %9s %9s%n", "delay, guest stamp -> CloudEvent",
                    "events", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
            long[] kernel = new long[0];
            int received = 0;
            for (int i = 0; i < PROCESS_EVENTS.length; i++) {
                long[] d = log.delaysSince(PROCESS_EVENTS[i], from[i]);
                received += d.length;
                row(out, PROCESS_EVENTS[i] + (PROCESS_EVENTS[i].equals("process.exec") ? " (audit ms stamp)"
                        : " (kernel stamp)"), d);
                if (!PROCESS_EVENTS[i].equals("process.exec")) {
                    kernel = concat(kernel, d);
                }
            }
            row(out, "spawned + exited (kernel stamps)", kernel);
            out.println("highest dropped_total reported: " + log.droppedTotal() + "; all events so far: "
                    + log.counts());
            Arrays.sort(kernel);
            return new Result(kernel, plan.count() * plan.eventsPerChild() / seconds, received, plan.eventsInScope());
        }
    }

    /**
     * Runs {@code plan} in the scoped shell and waits until the receiver has every event of it (or
     * heard nothing for 2 s); returns the workload's wall time in seconds.
     */
    private static double run(AgentRig rig, SpawnPlan plan, PrintStream out) throws Exception {
        int base = 0;
        for (String t : PROCESS_EVENTS) {
            base += rig.log().count(t);
        }
        long t0 = System.nanoTime();
        int status = rig.shell().run(plan.command());
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (status != 0) {
            throw new IllegalStateException("the workload exited with status " + status);
        }
        int expected = plan.eventsInScope();
        int got = rig.log().await(base + expected, 2_000, PROCESS_EVENTS) - base;
        if (got != expected) {
            out.println("MISSING EVENTS: received " + got + " of " + expected);
        }
        return seconds;
    }

    private static void row(PrintStream out, String what, long[] delays) {
        if (delays.length == 0) {
            out.printf(Locale.ROOT, "%-34s %7d%n", what, 0);
            return;
        }
        long[] d = delays.clone();
        Arrays.sort(d);
        out.printf(Locale.ROOT, "%-34s %7d %9.3f %9.3f %9.3f %9.3f %9.3f%n", what, d.length, pct(d, 0.50),
                pct(d, 0.90), pct(d, 0.99), pct(d, 0.999), d[d.length - 1] / 1e6);
    }

    /** The nearest-rank percentile of sorted {@code d}, in ms. */
    private static double pct(long[] d, double q) {
        int rank = (int) Math.ceil(q * d.length);
        return d[Math.max(0, rank - 1)] / 1e6;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
