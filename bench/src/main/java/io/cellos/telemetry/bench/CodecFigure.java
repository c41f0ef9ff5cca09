package io.cellos.telemetry.bench;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The wire codec's encode and decode times (JMH, short settings: one fork), ours against Jackson's
 * generic CBOR in the same run ({@link FrameEncodeBenchmark}, {@link FrameDecodeBenchmark},
 * {@link JacksonCborBaselineBenchmark}); the spread is over the measurement iterations.
 */
final class CodecFigure extends Figure {
    /** Ours, the Jackson benchmark it is compared with, the goal in ns. */
    private record Pair(String ours, String jackson, double goalNs) {
    }

    private static final List<Pair> PAIRS = List.of(
            new Pair("FrameEncodeBenchmark.flyweightSpawn", "JacksonCborBaselineBenchmark.encodeSpawn", 100),
            new Pair("FrameEncodeBenchmark.eventSpawn", "JacksonCborBaselineBenchmark.encodeSpawn", 100),
            new Pair("FrameEncodeBenchmark.flyweightConnect", "JacksonCborBaselineBenchmark.encodeConnect", 100),
            new Pair("FrameEncodeBenchmark.eventConnect", "JacksonCborBaselineBenchmark.encodeConnect", 100),
            new Pair("FrameDecodeBenchmark.decodeSpawn", "JacksonCborBaselineBenchmark.decodeSpawn", 300),
            new Pair("FrameDecodeBenchmark.decodeConnect", "JacksonCborBaselineBenchmark.decodeConnect", 300));

    CodecFigure() {
        super("codec", "frame encode and decode, ns/op (JMH), vs Jackson CBOR", false);
    }

    @Override
    List<Row> run(BenchContext ctx) throws Exception {
        int warmups = ctx.pick(3, 1);
        int iterations = ctx.pick(5, 2);
        String time = ctx.quick() ? "500ms" : "1s";
        Options options = new OptionsBuilder().include("FrameEncode|FrameDecode|Jackson").forks(1)
                .warmupIterations(warmups).warmupTime(TimeValue.fromString(time)).measurementIterations(iterations)
                .measurementTime(TimeValue.fromString(time))
                .output(ctx.work().resolve("jmh.txt").toString()).build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Spread> scores = new HashMap<>();
        for (RunResult run : results) {
            List<Double> its = new ArrayList<>();
            for (BenchmarkResult br : run.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    its.add(ir.getPrimaryResult().getScore());
                }
            }
            String name = run.getParams().getBenchmark();
            scores.put(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), Spread.of(its));
        }
        String command = String.format(Locale.ROOT, "java -jar bench/target/benchmarks.jar 'FrameEncode|FrameDecode|Jackson'"
                + " -f 1 -wi %d -w %s -i %d -r %s", warmups, time, iterations, time);
        List<Row> rows = new ArrayList<>();
        for (Pair p : PAIRS) {
            Spread ours = scores.get(p.ours());
            Spread jackson = scores.get(p.jackson());
            if (ours == null || jackson == null) {
                rows.add(Row.failed(p.ours(), command, "JMH returned no result for " + (ours == null ? p.ours() : p.jackson())));
                continue;
            }
            rows.add(Row.of(p.ours(), "ns/op", Goal.atMost(p.goalNs(), "≤ " + (int) p.goalNs() + " ns"), ours,
                    List.of(Baseline.measured("Jackson " + p.jackson().substring(p.jackson().indexOf('.') + 1), jackson)),
                    command, ""));
        }
        return rows;
    }
}
