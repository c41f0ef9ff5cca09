package io.cellos.telemetry.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Receiver ingest with 100 cells over real UNIX sockets to a file ({@link IngestHarness}): frames
 * per second of each measured round (the first, the JIT's warm-up, left out).
 */
final class IngestFigure extends Figure {
    IngestFigure() {
        super("ingest", "receiver ingest, frames/s from 100 cells to a file", false);
    }

    @Override
    List<Row> run(BenchContext ctx) throws Exception {
        IngestArguments args = IngestArguments.parse(new String[] {"--cells", "100", "--frames-per-cell",
                Integer.toString(ctx.pick(20_000, 10_000)), "--loops", "1", "--sink", "file", "--rounds",
                Integer.toString(ctx.pick(4, 2))});
        ctx.log().println("# " + args);
        ctx.log().println(IngestResult.HEADER);
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < args.rounds(); r++) {
            IngestResult result = new IngestRound(args).run(r);
            ctx.log().println(result.row(r == 0 ? "warm-up" : "round " + r));
            if (r > 0) {
                rates.add(result.framesPerSecond());
            }
        }
        return List.of(Row.of("receiver ingest, 100 cells, to a file", "frames/s", Goal.atLeast(300_000, "≥ 300,000/s"),
                Spread.of(rates), List.of(), BenchContext.harness("IngestHarness " + args), ""));
    }
}
