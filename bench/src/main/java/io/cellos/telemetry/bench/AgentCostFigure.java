package io.cellos.telemetry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The real agent's CPU per 1,000 events under a load of short processes, and its CPU per minute
 * when idle ({@link AgentCost}), with the eBPF mechanism against audit, and eBPF with a batch
 * window of {@value #WINDOW} against eBPF without; one agent per run, the three alternating.
 */
final class AgentCostFigure extends Figure {
    /** The batch window measured beside the default (none): the agent's {@code --batch-window}. */
    static final String WINDOW = "10ms";
    /** The agents compared, by their options: eBPF as shipped, audit, eBPF with the window. */
    private static final List<List<String>> AGENTS = List.of(List.of("--probe-mechanism", "bpf"),
            List.of("--probe-mechanism", "audit"), List.of("--probe-mechanism", "bpf", "--batch-window", WINDOW));

    AgentCostFigure() {
        super("agent-cost", "agent CPU per 1,000 events and idle CPU per minute, eBPF vs audit, and with a batch window", true);
    }

    @Override
    List<Row> run(BenchContext ctx) throws Exception {
        List<List<Double>> perEvents = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<List<Double>> idle = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<String> shortfalls = new ArrayList<>();
        String args = String.format(Locale.ROOT, "--settle-seconds %d --idle-seconds %d --processes %d",
                ctx.pick(5, 2), ctx.pick(60, 5), ctx.pick(6000, 500));
        for (int r = 0; r < ctx.pick(3, 1); r++) {
            for (int m = 0; m < AGENTS.size(); m++) {
                List<String> a = new ArrayList<>(List.of(args.split(" ")));
                a.addAll(AGENTS.get(m));
                a.addAll(List.of("--agent-classpath", ctx.cliJar().toString()));
                AgentCost.Result res = AgentCost.measure(a.toArray(String[]::new), ctx.log(), ctx.log());
                perEvents.get(m).add(res.msPer1000Events());
                idle.get(m).add(res.idleMsPerMinute());
                if (res.processEvents() != res.expectedEvents()) {
                    shortfalls.add(String.join(" ", AGENTS.get(m)) + " received " + res.processEvents() + " of "
                            + res.expectedEvents() + " process events");
                }
            }
        }
        String command = BenchContext.harness("AgentCost --probe-mechanism bpf " + args) + "; then audit";
        String windowed = BenchContext.harness("AgentCost --probe-mechanism bpf --batch-window " + WINDOW + " " + args)
                + "; then without the window";
        String note = shortfalls.isEmpty() ? "" : "Events missing: " + String.join("; ", shortfalls) + ".";
        return List.of(
                Row.of("agent CPU per 1,000 events (bpf)", "ms", Goal.atMost(20, "≤ 20 ms"), Spread.of(perEvents.get(0)),
                        List.of(Baseline.measured("audit", Spread.of(perEvents.get(1)))), command, note),
                Row.of("agent CPU per 1,000 events (bpf, --batch-window " + WINDOW + ")", "ms", Goal.atMost(20, "≤ 20 ms"),
                        Spread.of(perEvents.get(2)), List.of(Baseline.measured("bpf, no window", Spread.of(perEvents.get(0)))),
                        windowed, ""),
                Row.of("agent CPU, idle, per minute (bpf)", "ms", Goal.atMost(60, "≤ 60 ms (0.1 % of a core)"),
                        Spread.of(idle.get(0)), List.of(Baseline.measured("audit", Spread.of(idle.get(1)))), command, ""));
    }
}
