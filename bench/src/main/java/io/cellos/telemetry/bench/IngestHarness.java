package io.cellos.telemetry.bench;

import io.cellos.telemetry.wire.ExitCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The receiver ingest load harness: how many guest frames per second a {@link
 * io.cellos.telemetry.host.receiver.Receiver} turns into CloudEvents lines, over real UNIX sockets, with the
 * load generator in the same process (and so on the same cores).
 *
 * <p>Runs {@link IngestArguments#rounds()} rounds of {@link IngestRound} in one JVM and prints
 * one row per round, then the round with the median rate among all but the first (the JIT's
 * warm-up). Exits 1 if any round's checks fail, 2 on a usage error.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.cellos.telemetry.bench.IngestHarness \
 *     --cells 100 --frames-per-cell 20000 --loops 2 --sink file
 * </pre>
 */
public final class IngestHarness {
    private IngestHarness() {
    }

    public static void main(String[] argv) throws IOException, InterruptedException {
        if (HarnessFlags.wantsHelp(argv)) {
            System.out.println(IngestArguments.USAGE);
            return;
        }
        IngestArguments args;
        try {
            args = IngestArguments.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("IngestHarness: " + e.getMessage());
            System.err.println(IngestArguments.USAGE);
            System.exit(ExitCode.USAGE);
            return;
        }
        System.out.println("# " + args);
        System.out.println("# " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), JDK "
                + Runtime.version() + ", " + System.getProperty("java.vm.name"));
        System.out.println("# CPU columns are % of one core; frames sent per round: " + args.totalFrames());
        System.out.println(IngestResult.HEADER);
        List<IngestResult> measured = new ArrayList<>();
        for (int r = 0; r < args.rounds(); r++) {
            IngestResult result;
            try {
                result = new IngestRound(args).run(r);
            } catch (IllegalStateException e) {
                System.err.println("IngestHarness: round " + r + " failed its checks: " + e.getMessage());
                System.exit(ExitCode.FAILED);
                return;
            }
            System.out.println(result.row(r == 0 ? "warm-up" : "round " + r));
            if (r > 0) {
                measured.add(result);
            }
        }
        measured.sort(Comparator.comparingDouble(IngestResult::framesPerSecond));
        System.out.println(measured.get((measured.size() - 1) / 2).row("median"));
    }

    private static String cpuModel() throws IOException {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) {
            return "model unknown";
        }
        return Files.readAllLines(info).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst()
                .orElse("model unknown");
    }
}
