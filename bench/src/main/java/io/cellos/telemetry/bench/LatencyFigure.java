package io.cellos.telemetry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Event to CloudEvent delay at about 1,000 events/s ({@link AgentLatency}): the real agent, its
 * default mechanism, the real receiver; p50 and p99 of the kernel-stamped process events, as
 * shipped and with each batch window of {@link AgentCostFigure#WINDOWS} (what that window's CPU
 * saving costs), all of them alternating.
 */
final class LatencyFigure extends Figure {
    LatencyFigure() {
        super("latency", "event to CloudEvent p50 and p99 at 1,000 events/s, without and with batch windows", true);
    }

    @Override
    List<Row> run(BenchContext ctx) throws Exception {
        String args = String.format(Locale.ROOT, "--per-second 333 --seconds %d --warmup-seconds %d",
                ctx.pick(30, 5), ctx.pick(5, 2));
        List<List<String>> agents = new ArrayList<>();
        agents.add(List.of());
        AgentCostFigure.WINDOWS.forEach(w -> agents.add(List.of("--batch-window", w)));
        List<List<Double>> p50 = new ArrayList<>();
        List<List<Double>> p99 = new ArrayList<>();
        agents.forEach(a -> {
            p50.add(new ArrayList<>());
            p99.add(new ArrayList<>());
        });
        List<String> shortfalls = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < ctx.pick(3, 1); r++) {
            for (int w = 0; w < agents.size(); w++) {
                List<String> a = new ArrayList<>(List.of(args.split(" ")));
                a.addAll(agents.get(w));
                a.addAll(List.of("--agent-classpath", ctx.cliJar().toString()));
                AgentLatency.Result res = AgentLatency.measure(a.toArray(String[]::new), ctx.log(), ctx.log());
                p50.get(w).add(res.percentileMs(0.50));
                p99.get(w).add(res.percentileMs(0.99));
                rates.add(res.eventsPerSecond());
                if (res.received() < res.expected()) {
                    shortfalls.add((w == 0 ? "without a window" : "with " + String.join(" ", agents.get(w)))
                            + ", received " + res.received() + " of " + res.expected());
                }
            }
        }
        String command = BenchContext.harness("AgentLatency " + args);
        Spread rate = Spread.of(rates);
        String note = String.format(Locale.ROOT, "The paced workload made %s process events/s (min–max %s–%s);"
                        + " delays of the kernel-stamped events (spawned, exited), the agent's default mechanism.%s",
                BenchTable.number(rate.median()), BenchTable.number(rate.min()), BenchTable.number(rate.max()),
                shortfalls.isEmpty() ? "" : " Events missing: " + String.join("; ", shortfalls) + ".");
        List<Row> rows = new ArrayList<>(List.of(
                Row.of("event → CloudEvent p50, 1,000 events/s", "ms", Goal.NONE, Spread.of(p50.get(0)), List.of(), command,
                        note),
                Row.of("event → CloudEvent p99, 1,000 events/s", "ms", Goal.atMost(5, "≤ 5 ms"), Spread.of(p99.get(0)),
                        List.of(), command, "")));
        for (int w = 1; w < agents.size(); w++) {
            String window = AgentCostFigure.WINDOWS.get(w - 1);
            String windowed = BenchContext.harness("AgentLatency --batch-window " + window + " " + args);
            rows.add(Row.of("event → CloudEvent p50, 1,000 events/s, --batch-window " + window, "ms", Goal.NONE,
                    Spread.of(p50.get(w)), List.of(Baseline.measured("no window", Spread.of(p50.get(0)))), windowed, ""));
            rows.add(Row.of("event → CloudEvent p99, 1,000 events/s, --batch-window " + window, "ms",
                    Goal.atMost(5, "≤ 5 ms"), Spread.of(p99.get(w)),
                    List.of(Baseline.measured("no window", Spread.of(p99.get(0)))), windowed, ""));
        }
        return rows;
    }
}
