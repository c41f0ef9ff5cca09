package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One {@code cellos} run in a process of its own (a local cell's workload writes to the real
 * standard streams, which an in-process run could not capture), with what it wrote and, for a
 * cell, the events in its directory's log.
 *
 * @param status the exit status
 * @param out    standard output
 * @param err    standard error
 * @param events the cell's CloudEvents, in log order
 */
record CellProcess(int status, String out, String err, List<JsonNode> events) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Runs {@code cellos args...} with the cell directory {@code dir}; {@code whileRunning} sees the
     * process. Its temporary directory is {@link #tmpdir}{@code (dir)}, so that a test sees what a
     * command leaves there.
     */
    static CellProcess run(Path dir, Consumer<Process> whileRunning, String... args) throws IOException, InterruptedException {
        return run(CellMode.DEFAULT, dir, whileRunning, args);
    }

    /** {@link #run}, a {@code cell run} or {@code demo} among {@code args} given the options of {@code mode}. */
    static CellProcess run(CellMode mode, Path dir, Consumer<Process> whileRunning, String... args)
            throws IOException, InterruptedException {
        return run(mode, dir, java.util.Map.of(), whileRunning, args);
    }

    /** {@link #run(CellMode, Path, Consumer, String...)} with {@code env} added to the command's environment. */
    static CellProcess run(CellMode mode, Path dir, java.util.Map<String, String> env, Consumer<Process> whileRunning,
                           String... args) throws IOException, InterruptedException {
        Files.createDirectories(tmpdir(dir));
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmpdir(dir), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        List<String> given = new ArrayList<>(List.of(args));
        int words = given.size() >= 2 && given.get(0).equals("cell") && given.get(1).equals("run") ? 2
                : !given.isEmpty() && given.get(0).equals("demo") ? 1 : 0;
        if (words > 0) {
            given.addAll(words, mode.options());
        }
        cmd.addAll(given);
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        Process p = builder.start();
        whileRunning.accept(p);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("cellos " + String.join(" ", args) + " did not end within 120 s; stderr: "
                    + Files.readString(err));
        }
        List<JsonNode> events = new ArrayList<>();
        Path log = dir.resolve("events.jsonl");
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                events.add(JSON.readTree(line));
            }
        }
        return new CellProcess(p.exitValue(), Files.readString(out), Files.readString(err), events);
    }

    /** The temporary directory of a run in {@code dir}, where a cell without --dir makes its own. */
    static Path tmpdir(Path dir) {
        return dir.resolve("tmp");
    }

    /** Runs a local cell over {@code workload}. */
    static CellProcess cell(Path dir, String... workload) throws IOException, InterruptedException {
        return cell(CellMode.DEFAULT, dir, workload);
    }

    /** Runs a local cell over {@code workload}, in {@code mode}. */
    static CellProcess cell(CellMode mode, Path dir, String... workload) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("cell", "run", "--dir", dir.toString(), "--"));
        args.addAll(List.of(workload));
        return run(mode, dir, p -> { }, args.toArray(String[]::new));
    }

    /** The events of type {@code cell.observability.guest.<suffix>}. */
    List<JsonNode> ofType(String suffix) {
        return events.stream().filter(e -> e.path("type").asText().equals("cell.observability.guest." + suffix)).toList();
    }

    @Override
    public String toString() {
        return "status " + status + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
