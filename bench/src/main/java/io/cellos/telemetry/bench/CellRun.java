package io.cellos.telemetry.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code cellos cell run} as a process of its own, as a user runs it: the local cell (init,
 * agent, gate, receiver) over a workload, optionally from a guest image; its standard output (the
 * workload's, then the summary) handed over line by line as it comes; its standard error to the log.
 */
final class CellRun {
    private static final long PATIENCE_SECONDS = 300;

    /** What a caller does with each line the cell prints. */
    interface Lines {
        void line(String line) throws Exception;
    }

    private CellRun() {
    }

    /**
     * Runs {@code workload} in a local cell whose directory is {@code dir}, from {@code image} (or
     * the plain JDK if null).
     *
     * @return the cell's exit status (the workload's)
     * @throws IOException if the cell outlives the patience (it is then killed)
     */
    static int run(BenchContext ctx, Path image, Path dir, List<String> workload, Lines lines) throws Exception {
        List<String> args = new ArrayList<>(List.of("cell", "run", "--dir", dir.toString()));
        if (image != null) {
            args.addAll(List.of("--guest-image", image.toString()));
        }
        args.add("--");
        args.addAll(workload);
        Path err = Files.createTempFile(ctx.work(), "cell-run-", ".err");
        Process p = new ProcessBuilder(ctx.cellos(args)).redirectError(err.toFile()).start();
        AtomicBoolean outlived = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().start(() -> { // a cell that hangs with its output open is killed too
            try {
                if (!p.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
                    outlived.set(true);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.line(line);
            }
        } finally {
            p.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS);
            watchdog.join();
            ctx.log().println("-- cell run " + String.join(" ", args.subList(2, args.size() - workload.size()))
                    + ", standard error:");
            Files.copy(err, ctx.log());
        }
        if (outlived.get()) {
            throw new IOException("cell run outlived " + PATIENCE_SECONDS + " s and was killed");
        }
        return p.exitValue();
    }

    /**
     * The host pids of a running cell's init and agent: the {@code java} processes whose command
     * lines name the cell's directory and carry init's {@code --agent-external} or the agent's
     * {@code --launched}.
     *
     * @return {init, agent}; an entry is -1 while that process is not found
     */
    static long[] guestPids(Path dir) throws IOException {
        long[] found = {-1, -1};
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path p : procs) {
                List<String> argv;
                try {
                    argv = List.of(new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
                } catch (IOException gone) {
                    continue;
                }
                if (argv.isEmpty() || !argv.get(0).endsWith("java") || argv.stream().noneMatch(a -> a.contains(dir.toString()))) {
                    continue;
                }
                long pid = Long.parseLong(p.getFileName().toString());
                if (argv.contains("--agent-external")) {
                    found[0] = pid;
                } else if (argv.contains("--launched")) {
                    found[1] = pid;
                }
            }
        }
        return found;
    }
}
