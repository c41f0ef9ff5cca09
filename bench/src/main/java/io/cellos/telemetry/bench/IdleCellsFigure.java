package io.cellos.telemetry.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A receiver's resident memory with 1,000 idle cells, each with a connected, pinned guest
 * ({@link IdleCells}), against the same receiver with one such cell.
 */
final class IdleCellsFigure extends Figure {
    private static final int CELLS = 1_000;

    IdleCellsFigure() {
        super("idle-cells", "receiver resident memory with 1,000 idle cells, vs 1 cell", false);
    }

    @Override
    List<Row> run(BenchContext ctx) throws Exception {
        long settle = ctx.pick(10_000, 2_000);
        List<Double> many = new ArrayList<>();
        List<Double> one = new ArrayList<>();
        for (int r = 0; r < ctx.pick(3, 1); r++) {
            many.add(IdleCells.measure(CELLS, settle, ctx.log()).vmRssKiB() / 1024.0);
            one.add(IdleCells.measure(1, settle, ctx.log()).vmRssKiB() / 1024.0);
        }
        return List.of(Row.of("receiver resident memory, 1,000 idle cells", "MiB", Goal.atMost(256, "≤ 256 MiB"),
                Spread.of(many), List.of(Baseline.measured("1 idle cell", Spread.of(one))),
                "./cellos bench --only idle-cells",
                "Each cell has one guest connected over a UNIX socket that sent an agent's first frame (its session)"
                        + " and then nothing; VmRSS of the receiver's own JVM (default flags) after "
                        + settle / 1000 + " s."));
    }
}
