package io.cellos.telemetry.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The workload's tax ({@link WorkloadTax}): a syscall-heavy {@code dd}, a {@code find} over the
 * file system, and a build ({@code javac} of the wire module), each timed with no probes, with the
 * audit mechanism's and with the eBPF mechanism's, interleaved in one run.
 */
final class TaxFigure extends Figure {
    private static final List<String> MECHANISMS = List.of("none", "audit", "bpf");

    /** One workload: its name in the table, command, goal on the ratio, and rounds full and quick. */
    private record Workload(String name, List<String> command, Goal goal, int rounds, int quickRounds) {
    }

    TaxFigure() {
        super("tax", "workload tax (dd, find, javac) with no agent, audit and eBPF", true);
    }

    @Override
    List<Row> run(BenchContext ctx) throws Exception {
        Path classes = Files.createDirectories(ctx.work().resolve("tax-javac"));
        String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
        List<Workload> workloads = List.of(
                new Workload("dd", List.of("dd", "if=/dev/zero", "of=/dev/null", "bs=1",
                        "count=" + ctx.pick(2_000_000, 200_000)), Goal.ratioAtMost(1.10, "≤ 1.10×"), 5, 2),
                new Workload("find", List.of("find", "/usr/share", "/usr/lib", "-xdev"),
                        Goal.ratioAtMost(1.02, "≤ 1.02×"), 9, 2),
                new Workload("build", List.of("sh", "-c", javac + " -d " + classes + " $(find "
                        + ctx.root().resolve("wire/src/main/java") + " -name \"*.java\")"),
                        Goal.ratioAtMost(1.02, "≤ 1.02×"), 5, 2));
        List<Row> rows = new ArrayList<>();
        for (Workload w : workloads) {
            int rounds = ctx.pick(w.rounds(), w.quickRounds());
            Map<String, List<Double>> s = WorkloadTax.measure(rounds, MECHANISMS, w.command(), ctx.log());
            String command = BenchContext.harness("WorkloadTax " + rounds + " " + String.join(",", MECHANISMS) + " -- "
                    + w.command().stream().map(ScopedShell::quote).collect(Collectors.joining(" ")).replace(ctx.root() + "/", "").replace(ctx.work() + "/", "/tmp/"));
            Baseline none = Baseline.measured("no agent", Spread.of(s.get("none")));
            for (String m : List.of("bpf", "audit")) {
                rows.add(Row.of("workload tax, " + w.name() + " (" + m + ")", "s", w.goal(), Spread.of(s.get(m)),
                        List.of(none), command, ""));
            }
        }
        return rows;
    }
}
