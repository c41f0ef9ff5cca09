package io.cellos.telemetry.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * What every figure of one {@code cellos bench} run shares.
 *
 * @param quick whether this is the short smoke run
 * @param root  the project directory, whose jars are run
 * @param work  a directory for this run's files, removed at its end
 * @param log   where the harnesses' own output goes
 */
record BenchContext(boolean quick, Path root, Path work, PrintStream log) {
    /** The {@code cellos} jar: the CLI, the local cell, the agent launcher. */
    Path cliJar() {
        return root.resolve("cli/target/cellos.jar");
    }

    /** {@code full} for the full run, {@code quick} for {@code --quick}. */
    int pick(int full, int quick) {
        return this.quick ? quick : full;
    }

    /** The command that runs the {@code cellos} CLI with {@code args} on this JVM's java. */
    List<String> cellos(List<String> args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp",
                cliJar().toString(), "io.cellos.telemetry.cli.Main"));
        cmd.addAll(args);
        return cmd;
    }

    /** The java this JVM runs on. */
    static String java() {
        return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    }

    /** How the table shows the command that runs harness {@code mainAndArgs} of the bench jar alone. */
    static String harness(String mainAndArgs) {
        return "java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.cellos.telemetry.bench."
                + mainAndArgs;
    }
}
