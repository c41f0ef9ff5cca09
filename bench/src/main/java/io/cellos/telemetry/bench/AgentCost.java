package io.cellos.telemetry.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the real agent costs: CPU and wake-ups when idle, CPU per 1,000 events under load, and
 * resident memory, all read from {@code /proc/<agent pid>} while an {@link AgentRig} runs it.
 *
 * <ol>
 * <li>Settle: the agent runs for {@code --settle-seconds} after readiness (start-up and the first
 *     compilations are not idleness).
 * <li>Idle: {@code --idle-seconds} with no workload in the agent's scope: CPU time ({@code utime +
 *     stime}, and the threads' {@code schedstat}), voluntary context switches of every thread (its
 *     wake-ups), events the receiver got, and forks on the whole machine meanwhile (the connector
 *     and audit report every process of the machine to the agent, which then finds it out of scope:
 *     on a shared machine that is work an idle agent does).
 * <li>Memory after idling: {@code VmRSS}, {@code VmHWM}, and the anonymous and file-backed parts.
 * <li>Load: the scoped shell runs {@code --processes} children that exec {@code /bin/true} (three
 *     events each), as fast as {@code --generators} perl workers with {@code --in-flight} children
 *     each go; the window ends when the receiver has every expected event (or nothing for 3 s).
 *     Agent CPU time over the window per 1,000 events the receiver got in it; and over the window's
 *     second half (from the moment the receiver has half the expected process events), where the
 *     agent's JIT has compiled its event path: the cost a VM pays once it has run a while.
 * <li>Memory after the load.
 * </ol>
 *
 * <p>Usage: {@link #USAGE}. Run as root, from the project directory (for the default classpath).
 */
public final class AgentCost {
    private static final String[] PROCESS_EVENTS = {"process.spawned", "process.exec", "process.exited"};

    static final String USAGE = """
            usage: AgentCost [--processes 10000] [--idle-seconds 60] [--settle-seconds 10] [--generators 1]
                             [--in-flight 2] [--heartbeat-ms 2000] [--agent-classpath cli/target/cellos.jar]
                             [--agent-main io.cellos.telemetry.cli.Main] [--guest-image none|DIR]
                             [--probe-mechanism default|auto|bpf|audit] [--batch-window default|D]
              Starts the real agent against a receiver in this process, lets it settle, measures its CPU
              over an idle phase, then over a load of --processes short processes (each exec /bin/true)
              that a scoped shell runs --in-flight at a time: CPU per 1,000 events, over the whole load
              and its second half, wake-ups and memory. --guest-image DIR starts the agent by that image's
              launcher, runtime and flags; --probe-mechanism and --batch-window are passed to the agent
              ('default' passes none). Run as root, from the project directory.""";
    /** Every flag, with its default. */
    private static final Map<String, String> FLAGS = AgentRig.withAgentOptions(Map.of("processes", "10000",
            "idle-seconds", "60", "settle-seconds", "10", "generators", "1", "in-flight", "2", "heartbeat-ms", "2000"));

    private AgentCost() {
    }

    public static void main(String[] args) throws Exception {
        HarnessFlags.checkForMain("AgentCost", USAGE, args, FLAGS);
        measure(args, System.out, System.err);
    }

    /**
     * What one run measured.
     *
     * @param idleRunNanos       the run time of the agent's threads over the idle phase ({@code schedstat}:
     *                           finer than the clock ticks of {@code utime + stime}, which an idle
     *                           minute may not reach)
     * @param idleSeconds        the idle phase's wall time
     * @param loadCpuSeconds     the agent's CPU time over the load window
     * @param eventsReceived     events but heartbeats the receiver got in the load window
     * @param processEvents      process events of the workload received
     * @param expectedEvents     process events the workload should have made
     * @param secondHalfCpuSeconds the agent's CPU time over the load window's second half (NaN
     *                           when the receiver never had half of the load's process events)
     * @param secondHalfEvents   events but heartbeats the receiver got in that half
     */
    record Result(long idleRunNanos, double idleSeconds, double loadCpuSeconds, long eventsReceived,
                  int processEvents, int expectedEvents, double secondHalfCpuSeconds, long secondHalfEvents) {
        /** The agent's CPU per 1,000 events of the load, in ms. */
        double msPer1000Events() {
            return 1e6 * loadCpuSeconds / eventsReceived;
        }

        /** The agent's CPU per 1,000 events of the load's second half, in ms; NaN if not measured. */
        double secondHalfMsPer1000Events() {
            return 1e6 * secondHalfCpuSeconds / secondHalfEvents;
        }

        /** The agent's CPU per minute of idleness, in ms. */
        double idleMsPerMinute() {
            return 60 * idleRunNanos / 1e6 / idleSeconds;
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
        out.println("AgentCost " + f);
        try (AgentRig rig = AgentRig.start(f, Duration.ofMillis(f.integer("heartbeat-ms")), err)) {
            out.println(rig.readiness());
            long pid = rig.agentPid();
            Thread.sleep(f.integer("settle-seconds") * 1000L);

            ProcSample idleStart = ProcSample.take(pid);
            Map<String, Integer> before = rig.log().counts();
            Thread.sleep(f.integer("idle-seconds") * 1000L);
            ProcSample idleEnd = ProcSample.take(pid);
            double idleSeconds = idleEnd.secondsSince(idleStart);
            out.printf(Locale.ROOT, "%nIDLE %.1f s: CPU %.2f s by ticks = %.3f %% of a core;"
                            + " threads' run time %.1f ms = %.4f %% of a core%n", idleSeconds,
                    idleEnd.cpuSecondsSince(idleStart), 100 * idleEnd.cpuSecondsSince(idleStart) / idleSeconds,
                    idleEnd.runNanosSince(idleStart) / 1e6, 100 * idleEnd.runNanosSince(idleStart) / 1e9 / idleSeconds);
            out.printf(Locale.ROOT, "  wake-ups (voluntary context switches, all threads): %d = %.1f per minute%n",
                    idleEnd.wakeupsSince(idleStart), idleEnd.wakeupsSince(idleStart) * 60 / idleSeconds);
            out.print(idleEnd.threadReport(idleStart));
            out.println("  events received: " + difference(rig.log().counts(), before));
            out.printf(Locale.ROOT, "  forks on the whole machine meanwhile (none of them in scope): %d%n",
                    idleEnd.machineForks() - idleStart.machineForks());
            out.println("MEMORY idle: " + idleEnd.memoryReport());

            SpawnPlan plan = new SpawnPlan(f.integer("processes"), true, f.integer("generators"),
                    f.integer("in-flight"), 0, false);
            int workload = plan.eventsInScope();
            int base = sum(rig.log(), PROCESS_EVENTS);
            before = rig.log().counts();
            ProcSample loadStart = ProcSample.take(pid);
            Midpoint.Watch halfway = new Midpoint.Watch(rig.log(), pid, base + workload / 2, before);
            int status = rig.shell().run(plan.command());
            long generatedNanos = System.nanoTime() - loadStart.atNanos();
            int got = rig.log().await(base + workload, 3_000, PROCESS_EVENTS) - base;
            ProcSample loadEnd = ProcSample.take(pid);
            Optional<Midpoint> mid = halfway.stop();
            Map<String, Integer> received = difference(rig.log().counts(), before);
            long events = eventsButHeartbeats(received);
            double loadSeconds = loadEnd.secondsSince(loadStart);
            out.printf(Locale.ROOT, "%nLOAD %s: generator status %d, %.2f s = %.0f processes/s;"
                            + " window until the last event %.2f s%n", plan, status, generatedNanos / 1e9,
                    plan.count() / (generatedNanos / 1e9), loadSeconds);
            out.printf(Locale.ROOT, "  process events received %d of %d expected; all events but heartbeats %d: %s%n",
                    got, workload, events, received);
            out.printf(Locale.ROOT, "  agent CPU %.2f s by ticks = %.1f ms per 1,000 events;"
                            + " threads' run time %.1f ms = %.1f ms per 1,000 events; %.0f %% of a core over the window%n",
                    loadEnd.cpuSecondsSince(loadStart), 1e6 * loadEnd.cpuSecondsSince(loadStart) / events,
                    loadEnd.runNanosSince(loadStart) / 1e6, loadEnd.runNanosSince(loadStart) / 1e3 / events,
                    100 * loadEnd.cpuSecondsSince(loadStart) / loadSeconds);
            double secondHalfCpu = mid.map(m -> loadEnd.cpuSecondsSince(m.sample())).orElse(Double.NaN);
            long secondHalfEvents = events - mid.map(Midpoint::events).orElse(events);
            if (mid.isPresent()) {
                out.printf(Locale.ROOT, "  second half, from the receiver's %d of %d process events: %.1f ms by ticks"
                                + " = %.1f ms per 1,000 of its %d events%n", mid.get().processEvents() - base, workload,
                        1e3 * secondHalfCpu, 1e6 * secondHalfCpu / secondHalfEvents, secondHalfEvents);
            } else {
                out.println("  second half: not measured, the receiver never had half of the load's process events");
            }
            out.printf(Locale.ROOT, "  forks on the whole machine in the window: %d (%d of them ours)%n",
                    loadEnd.machineForks() - loadStart.machineForks(), plan.count() + 1 + plan.generators());
            out.print(loadEnd.threadReport(loadStart));
            out.println("MEMORY after load: " + loadEnd.memoryReport());
            out.println("highest dropped_total reported: " + rig.log().droppedTotal());
            return new Result(idleEnd.runNanosSince(idleStart), idleSeconds, loadEnd.cpuSecondsSince(loadStart),
                    events, got, workload, secondHalfCpu, secondHalfEvents);
        }
    }

    /** Events of every type but heartbeats in {@code received}. */
    private static long eventsButHeartbeats(Map<String, Integer> received) {
        return received.entrySet().stream().filter(e -> !e.getKey().equals(ArrivalLog.HEARTBEAT))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * The agent sampled when the receiver first had {@code processEvents} process events.
     *
     * @param events events but heartbeats received by then since the load began
     */
    private record Midpoint(ProcSample sample, int processEvents, long events) {
        /** A thread that waits for the midpoint and samples the agent there; {@link #stop} ends it. */
        static final class Watch {
            private final AtomicBoolean ended = new AtomicBoolean();
            private final AtomicReference<Object> taken = new AtomicReference<>();
            private final Thread thread;

            Watch(ArrivalLog log, long pid, int processEvents, Map<String, Integer> before) {
                thread = Thread.ofPlatform().daemon().name("midpoint").start(() -> {
                    try {
                        // no quiet limit: the load has not begun while the watch starts
                        int got = log.await(processEvents, Long.MAX_VALUE, ended::get, PROCESS_EVENTS);
                        if (got < processEvents) {
                            return; // the load ended first
                        }
                        ProcSample sample = ProcSample.take(pid);
                        taken.set(new Midpoint(sample, got, eventsButHeartbeats(difference(log.counts(), before))));
                    } catch (IOException e) {
                        taken.set(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // no one interrupts it: it just ends, unsampled
                    }
                });
            }

            /**
             * Ends the watch once the load has ended.
             *
             * @return the sample; empty if the receiver never had the midpoint's events
             * @throws IOException if the agent could not be sampled there
             */
            Optional<Midpoint> stop() throws InterruptedException, IOException {
                ended.set(true);
                thread.join();
                return switch (taken.get()) {
                    case Midpoint m -> Optional.of(m);
                    case IOException e -> throw new IOException("sampling the agent at the load's midpoint: " + e, e);
                    case null, default -> Optional.empty();
                };
            }
        }
    }

    private static int sum(ArrivalLog log, String... types) {
        int n = 0;
        for (String t : types) {
            n += log.count(t);
        }
        return n;
    }

    /** Per type, {@code now} less {@code before}; types with no change left out. */
    private static Map<String, Integer> difference(Map<String, Integer> now, Map<String, Integer> before) {
        Map<String, Integer> d = new TreeMap<>();
        now.forEach((t, n) -> {
            int delta = n - before.getOrDefault(t, 0);
            if (delta != 0) {
                d.put(t, delta);
            }
        });
        return d;
    }
}
