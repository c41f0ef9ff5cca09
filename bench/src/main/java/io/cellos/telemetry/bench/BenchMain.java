package io.cellos.telemetry.bench;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.FileLock;
import io.cellos.telemetry.guest.linux.Processes;
import io.cellos.telemetry.wire.ExitCode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code cellos bench}: every figure of the project's benchmarks in one run on this machine — each
 * figure's harness run over repeats with its baselines, the machine's load measured beside it —
 * written as one table into the marked section of {@code BENCHMARKS.md} (or {@code --out FILE})
 * and printed. The {@code cellos} script runs this class from the bench jar, naming the project
 * directory in the system property {@code cellos.root} (the working directory without it).
 *
 * <p>Exit status: 0 when every figure was measured; 1 when one or more could not be (each says why
 * in the table); 2 on a usage error or when the table cannot be written.
 */
public final class BenchMain {
    /** The lock every kernel-touching test and run takes, so that they do not disturb one another. */
    static final String KERNEL_LOCK = "/tmp/cellos-kernel-tests.lock";

    /** Every figure, in the order they run and appear. */
    static final List<Figure> SUITE = List.of(new CodecFigure(), new IngestFigure(), new IdleCellsFigure(),
            new TaxFigure(), new StormFigure(), new AgentCostFigure(), new LatencyFigure(), new GuestFigure());

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(List.of(args), Path.of(System.getProperty("cellos.root", "")).toAbsolutePath(), System.out,
                System.err));
    }

    /** The help text. */
    static String usage() {
        StringBuilder b = new StringBuilder("""
                Usage: cellos bench [--quick] [--only NAME[,NAME]...] [--out FILE]

                Runs every benchmark of the project on this machine in one go (as root) and writes
                one table: figure, goal, measured (min / median / max over repeats), the baseline
                measured in the same run, the ratio, the machine's load beside each figure (figures
                a busy machine makes unreliable are flagged), and the command that measures the
                figure alone. The table states the machine (CPU, memory, kernel, JDK, commit), is
                printed, and replaces the section between the 'cellos bench' markers of
                BENCHMARKS.md (appended with its markers if the file has none). The harnesses' own
                output goes to a log file, named at the end.

                The run takes /tmp/cellos-kernel-tests.lock (waiting, with a message, while kernel
                tests hold it), so that no test arms probes beside it. A full run takes about forty
                minutes; run it on a machine with nothing else to do.

                Options:
                  --quick          a short smoke run: fewer repeats, shorter phases and smaller
                                   loads, its figures labelled as such (a few minutes)
                  --only NAMES     run these figures only (comma-separated, from the list below)
                  --out FILE       write the table into FILE instead of BENCHMARKS.md
                  --help           this text

                Figures:
                """);
        for (Figure f : SUITE) {
            b.append(String.format(Locale.ROOT, "  %-12s %s%s%n", f.name(), f.about(), f.needsRoot() ? "" : " (no root needed)"));
        }
        b.append("""

                Needs forkstat for the storm's third baseline (apt-get install forkstat; without it
                that baseline is marked not measured), perl, and what 'cellos cell run' needs.""");
        return b.toString();
    }

    /**
     * Runs {@code cellos bench} with {@code args} in project directory {@code root}.
     *
     * @return the exit status
     */
    static int run(List<String> args, Path root, PrintStream out, PrintStream err) throws Exception {
        List<String> names = SUITE.stream().map(Figure::name).toList();
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, root, names);
        } catch (IllegalArgumentException e) {
            err.println("cellos bench: " + e.getMessage() + "; see 'cellos bench --help'");
            return ExitCode.USAGE;
        }
        if (options.help()) {
            out.println(usage());
            return ExitCode.OK;
        }
        List<Figure> chosen = SUITE.stream().filter(f -> options.only().contains(f.name())).toList();
        if (chosen.stream().anyMatch(Figure::needsRoot) && Processes.geteuid() != 0) {
            err.println("cellos bench: needs root (it arms probes and starts agents and cells); run it as root,"
                    + " or choose figures that do not with --only");
            return ExitCode.USAGE;
        }
        String invocation = args.isEmpty() ? "./cellos bench" : "./cellos bench " + String.join(" ", args);
        FileLock lock;
        try {
            lock = takeKernelLock(err);
        } catch (ErrnoException e) {
            err.println("cellos bench: cannot take " + KERNEL_LOCK + ": " + e.getMessage());
            return ExitCode.USAGE;
        }
        try (lock) {
            return runLocked(options, chosen, invocation, out, err);
        }
    }

    private static int runLocked(BenchOptions options, List<Figure> chosen, String invocation, PrintStream out,
                                 PrintStream err) throws Exception {
        Path logFile = Files.createTempFile("cellos-bench-", ".log");
        Path work = Files.createTempDirectory("cellos-bench-");
        List<Row> rows = new ArrayList<>();
        Instant started = Instant.now();
        Machine machine = Machine.here(options.root());
        boolean failed = false;
        try (PrintStream log = new PrintStream(Files.newOutputStream(logFile), true, StandardCharsets.UTF_8)) {
            BenchContext ctx = new BenchContext(options.quick(), options.root(), work, log);
            for (Figure f : chosen) {
                err.printf(Locale.ROOT, "cellos bench: %s (%s)...%n", f.name(), f.about());
                log.println("==== " + f.name() + " " + Instant.now());
                LoadMeter meter = LoadMeter.start();
                List<Row> got;
                try {
                    got = f.run(ctx);
                } catch (Exception | Error e) {
                    e.printStackTrace(log);
                    got = List.of(Row.failed(f.name(), "./cellos bench --only " + f.name(),
                            "Not measured: " + e.getClass().getSimpleName() + ": " + e.getMessage() + " (the log has the rest)."));
                }
                Load load = meter.stop();
                for (Row r : got) {
                    failed |= r.measured() == null;
                    rows.add(r.withLoad(load));
                }
                err.printf(Locale.ROOT, "cellos bench: %s done in %.0f s; load %s%n", f.name(), load.seconds(),
                        load.describe());
            }
        } finally {
            TempTree.delete(work);
        }
        String table = BenchTable.render(machine, rows, invocation, options.quick(), started, Instant.now());
        out.println(table);
        try {
            String before = Files.exists(options.out()) ? Files.readString(options.out()) : "";
            Files.writeString(options.out(), MarkedSection.replace(before, table));
        } catch (IOException | IllegalArgumentException e) {
            err.println("cellos bench: the table was not written into " + options.out() + ": " + e.getMessage());
            return ExitCode.USAGE;
        }
        err.println("cellos bench: the table is in " + options.out() + "; the harnesses' output in " + logFile);
        return failed ? ExitCode.FAILED : ExitCode.OK;
    }

    /** Takes the kernel lock, saying so while another holder keeps it. */
    private static FileLock takeKernelLock(PrintStream err) throws ErrnoException {
        FileLock lock = FileLock.acquire(KERNEL_LOCK, 0);
        if (lock == null) {
            err.println("cellos bench: waiting for " + KERNEL_LOCK + " (kernel tests or another bench hold it)...");
            while ((lock = FileLock.acquire(KERNEL_LOCK, TimeUnit.MINUTES.toNanos(1))) == null) {
                err.println("cellos bench: still waiting for " + KERNEL_LOCK + "...");
            }
        }
        return lock;
    }

}
