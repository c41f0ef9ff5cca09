package io.cellos.telemetry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The machine and code a run measured, as its table states them.
 *
 * @param cpu        the CPU model ({@code model name} of {@code /proc/cpuinfo})
 * @param cpus       CPUs this JVM may use
 * @param memoryGiB  {@code MemTotal} of {@code /proc/meminfo}
 * @param kernel     {@code /proc/sys/kernel/osrelease}
 * @param jdk        the running JDK's version and VM
 * @param commit     the project's commit ({@code git rev-parse --short HEAD}), marked when the tree has
 *                   uncommitted changes to tracked files; {@code unknown} without git
 */
record Machine(String cpu, int cpus, double memoryGiB, String kernel, String jdk, String commit) {
    /** Reads this machine, and the commit of the project at {@code root}. */
    static Machine here(Path root) throws IOException, InterruptedException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        long memKiB = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        String commit = git(root, "rev-parse", "--short", "HEAD");
        if (commit == null) {
            commit = "unknown";
        } else if (!git(root, "status", "--porcelain", "--untracked-files=no").isEmpty()) {
            commit += " + uncommitted changes";
        }
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), memKiB / 1024.0 / 1024.0,
                Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(),
                System.getProperty("java.vm.vendor") + " " + Runtime.version() + " (" + System.getProperty("java.vm.name")
                        + ")", commit);
    }

    /** git's standard output, stripped, or null if git is missing or fails. */
    private static String git(Path root, String... args) throws InterruptedException {
        try {
            List<String> command = new ArrayList<>(List.of("git", "-C", root.toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The table's lines describing the machine. */
    String describe() {
        return String.format(Locale.ROOT, """
                | | |
                |---|---|
                | CPU | %s, %d CPUs |
                | memory | %.1f GiB |
                | kernel | `%s` |
                | JDK | %s |
                | commit | `%s` |
                """, cpu, cpus, memoryGiB, kernel, jdk, commit);
    }
}
