package io.cellos.telemetry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The real agent's CPU per 1,000 events under a load of short processes, and its CPU per minute
 * when idle ({@link AgentCost}), with the eBPF mechanism against audit, and eBPF with each batch
 * window of {@link #WINDOWS} against eBPF without; one agent per run, all of them alternating. Each
 * round also measures the floor under the default ({@link WakeFloor}: one blocking wake and one send
 * per event through the agent's system-call path, nothing else), a second baseline of the eBPF row.
 */
final class AgentCostFigure extends Figure {
    /**
     * The batch windows measured beside the default (none), as the agent's {@code --batch-window}
     * takes them: a short one, and the longest the agent allows.
     */
    static final List<String> WINDOWS = List.of("10ms", "100ms");
    /** eBPF as shipped and audit; then eBPF with each window, from index {@value #FIRST_WINDOWED}. */
    private static final int FIRST_WINDOWED = 2;
    /** The floor's pace: about the agent's event rate under {@link AgentCost}'s load here. */
    private static final int FLOOR_PER_SECOND = 600;

    AgentCostFigure() {
        super("agent-cost", "agent CPU per 1,000 events and idle CPU per minute, eBPF vs audit, and with batch windows", true);
    }

    @Override
    List<Row> run(BenchContext ctx) throws Exception {
        List<List<String>> agents = new ArrayList<>(List.of(List.of("--probe-mechanism", "bpf"),
                List.of("--probe-mechanism", "audit")));
        WINDOWS.forEach(w -> agents.add(List.of("--probe-mechanism", "bpf", "--batch-window", w)));
        List<List<Double>> perEvents = new ArrayList<>();
        List<List<Double>> secondHalf = new ArrayList<>();
        List<List<Double>> idle = new ArrayList<>();
        agents.forEach(a -> {
            perEvents.add(new ArrayList<>());
            secondHalf.add(new ArrayList<>());
            idle.add(new ArrayList<>());
        });
        List<Double> floors = new ArrayList<>();
        int floorSeconds = ctx.pick(10, 2);
        List<String> shortfalls = new ArrayList<>();
        String args = String.format(Locale.ROOT, "--settle-seconds %d --idle-seconds %d --processes %d",
                ctx.pick(5, 2), ctx.pick(60, 5), ctx.pick(6000, 500));
        for (int r = 0; r < ctx.pick(3, 1); r++) {
            for (int m = 0; m < agents.size(); m++) {
                List<String> a = new ArrayList<>(List.of(args.split(" ")));
                a.addAll(agents.get(m));
                a.addAll(List.of("--agent-classpath", ctx.cliJar().toString()));
                AgentCost.Result res = AgentCost.measure(a.toArray(String[]::new), ctx.log(), ctx.log());
                perEvents.get(m).add(res.msPer1000Events());
                secondHalf.get(m).add(res.secondHalfMsPer1000Events());
                idle.get(m).add(res.idleMsPerMinute());
                if (res.processEvents() != res.expectedEvents()) {
                    shortfalls.add(String.join(" ", agents.get(m)) + " received " + res.processEvents() + " of "
                            + res.expectedEvents() + " process events");
                }
            }
            floors.add(WakeFloor.measure(FLOOR_PER_SECOND, FLOOR_PER_SECOND * floorSeconds, ctx.log()).msPer1000Events());
        }
        String command = BenchContext.harness("AgentCost --probe-mechanism bpf " + args) + "; then audit";
        String note = shortfalls.isEmpty() ? "" : "Events missing: " + String.join("; ", shortfalls) + ".";
        List<Row> rows = new ArrayList<>();
        rows.add(Row.of("agent CPU per 1,000 events (bpf)", "ms", Goal.atMost(20, "≤ 20 ms"), Spread.of(perEvents.get(0)),
                List.of(Baseline.measured("audit", Spread.of(perEvents.get(1))),
                        Baseline.measured("floor: a bare wake + send per event", Spread.of(floors))),
                command + "; the floor: " + BenchContext.harness("WakeFloor --per-second " + FLOOR_PER_SECOND
                        + " --seconds " + floorSeconds),
                (note + " " + warm(secondHalf.get(0)) + " The floor: what one blocking wake and one send per event"
                        + " cost a loop that does nothing else, through the agent's own system calls, at "
                        + FLOOR_PER_SECOND + " events/s on an otherwise idle machine (bench/wake-floor has it in C).").strip()));
        for (int w = 0; w < WINDOWS.size(); w++) {
            String window = WINDOWS.get(w);
            rows.add(Row.of("agent CPU per 1,000 events (bpf, --batch-window " + window + ")", "ms",
                    Goal.atMost(20, "≤ 20 ms"), Spread.of(perEvents.get(FIRST_WINDOWED + w)),
                    List.of(Baseline.measured("bpf, no window", Spread.of(perEvents.get(0)))),
                    BenchContext.harness("AgentCost --probe-mechanism bpf --batch-window " + window + " " + args)
                            + "; then without the window", warm(secondHalf.get(FIRST_WINDOWED + w))));
        }
        rows.add(Row.of("agent CPU, idle, per minute (bpf)", "ms", Goal.atMost(60, "≤ 60 ms (0.1 % of a core)"),
                Spread.of(idle.get(0)), List.of(Baseline.measured("audit", Spread.of(idle.get(1)))), command, ""));
        return rows;
    }

    /** What the figure is in the loads' second halves, where the agent's JIT has compiled its event path. */
    private static String warm(List<Double> secondHalves) {
        List<Double> measured = secondHalves.stream().filter(v -> !v.isNaN()).toList();
        if (measured.isEmpty()) {
            return "Not measured in the loads' second halves: the receiver never had half of a load's events.";
        }
        Spread s = Spread.of(measured);
        return "In the second half of each load (its first half warmed the JIT): " + BenchTable.number(s.median())
                + " ms (min–max " + BenchTable.number(s.min()) + "–" + BenchTable.number(s.max()) + ").";
    }
}
