package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.agent.AgentLauncher;
import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.image.GuestImage;
import io.cellos.telemetry.guest.init.InitCommand;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Makes a {@link GuestImage} in an empty directory: a {@code jlink} runtime of the modules
 * {@code jdeps} finds the guest jar needs, the jar, the two executables, and — trained on a real
 * local cell running the demo's workload from the image itself — the AOT cache both roles map.
 *
 * <p>The cache records the image's paths, so it is trained where the image is made; a JVM still
 * accepts it after the whole directory moved. Not thread-safe; one build per object.
 *
 * @param jdk      the JDK whose {@code jlink} and {@code jdeps} are used (its version is the runtime's)
 * @param guestJar the guest jar to ship
 * @param image    the image to make, training off
 * @param aotCache whether to train the cache (needs root: a local cell)
 * @param log      where progress and the training cell's output go
 */
record GuestImageBuilder(Path jdk, Path guestJar, GuestImage image, boolean aotCache, PrintStream log) {
    /** jlink's plugins: no debug attributes, headers or man pages; the module image compressed. */
    static final List<String> JLINK_OPTIONS = List.of("--strip-debug", "--no-header-files", "--no-man-pages",
            "--compress=zip-6");
    /** The launcher JVM of {@code cellos-telemetry}: it lives only until the agent is ready. */
    private static final List<String> LAUNCHER_OPTIONS = List.of("-XX:+DisableAttachMechanism", "-XX:-UsePerfData",
            "-XX:+UseSerialGC", "-Xmx32m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED");
    /** How the scripts name the image's directory. */
    private static final String IMAGE_VARIABLE = "${img}";

    /** One part of the image and its size on disk, for the report. */
    record Part(String name, Path path, long bytes) {
    }

    /** Builds the image; on failure what was made is left for the caller to remove. */
    List<Part> build() throws IOException, InterruptedException, UsageException {
        Path dir = image.dir();
        String modules = run("jdeps", List.of(tool("jdeps"), "--print-module-deps", "--ignore-missing-deps",
                "--multi-release", Runtime.version().feature() + "", guestJar.toString())).strip();
        if (modules.isEmpty() || !modules.matches("[a-zA-Z0-9.,]+")) {
            throw new IOException("jdeps named no modules for " + guestJar + ": '" + modules + "'");
        }
        log.println("modules the guest needs (jdeps): " + modules);
        List<String> jlink = new ArrayList<>(List.of(tool("jlink"), "--add-modules", modules));
        jlink.addAll(JLINK_OPTIONS);
        jlink.addAll(List.of("--output", dir.resolve("runtime").toString()));
        run("jlink", jlink);
        Files.createDirectories(image.jar().getParent());
        Files.copy(guestJar, image.jar(), StandardCopyOption.COPY_ATTRIBUTES);
        writeExecutables(aotCache);
        if (aotCache) {
            train();
        }
        List<Part> parts = new ArrayList<>(List.of(new Part("runtime (jlink: " + modules + ")", dir.resolve("runtime"),
                sizeOf(dir.resolve("runtime"))), new Part("guest jar", image.jar(), sizeOf(image.jar()))));
        if (Files.exists(image.aotCache())) {
            parts.add(new Part("AOT cache (agent-trained, both roles)", image.aotCache(), sizeOf(image.aotCache())));
        }
        parts.add(new Part("executables", dir.resolve("bin"), sizeOf(dir.resolve("bin"))));
        return parts;
    }

    /**
     * {@code bin/cellos-init} and {@code bin/cellos-telemetry}: POSIX shell scripts that find the image
     * from their own path (no external command) and exec its {@code java} with the role's flags. The
     * launcher of {@code cellos-telemetry} is a small JVM of its own, on the cache too; the agent it
     * starts gets the agent's flags from {@link AgentLauncher}. {@code cellos-init} starts its JVM
     * through {@link InitCommand#BLOCKING_LAUNCHER} when the root filesystem's {@code env} can block
     * signals, which spares init its re-execution.
     */
    private void writeExecutables(boolean cached) throws IOException {
        GuestImage script = new GuestImage(Path.of(IMAGE_VARIABLE), false);
        write("cellos-init", "the cell's PID 1 (cellos init --help): agent first, then the workload behind the seccomp gate",
                script.jvmOptions(GuestImage.Role.INIT, InitCommand.JVM_OPTIONS, cached), "init", InitCommand.BLOCKING_LAUNCHER);
        write("cellos-telemetry", "the agent's launch contract (cellos agent --help): returns 0 once the agent is ready",
                script.jvmOptions(GuestImage.Role.INIT, LAUNCHER_OPTIONS, cached), "agent", List.of());
    }

    /**
     * @param through a command to exec the JVM through, if {@code through... true} succeeds on the
     *                guest (the script tries it first); else, or if empty, the JVM is exec'd alone
     */
    private void write(String name, String what, List<String> jvmOptions, String role, List<String> through)
            throws IOException {
        StringBuilder sb = new StringBuilder("#!/bin/sh\n# " + name + ": " + what + ".\n"
                + "# Made by 'cellos package guest'; the image is the directory above this one, wherever it is.\n"
                + "case $0 in */*) bin=${0%/*} ;; *) bin=. ;; esac\n"
                + "img=$(cd \"$bin/..\" && pwd -P) || exit 125\n");
        if (!through.isEmpty()) {
            String words = String.join(" ", through.stream().map(GuestImageBuilder::quote).toList());
            sb.append("# init takes its signals from a signalfd: blocked here before its JVM starts if this env can,\n"
                    + "# else init blocks them and executes itself again (a second JVM start)\n"
                    + "through=; ").append(words).append(" true 2>/dev/null && through=").append(quote(String.join(" ", through)))
                    .append('\n');
        }
        sb.append("exec ").append(through.isEmpty() ? "" : "$through ")
                .append(word(image.java().toString().replace(image.dir().toString(), IMAGE_VARIABLE)));
        for (String o : jvmOptions) {
            sb.append(" \\\n  ").append(word(o));
        }
        sb.append(" \\\n  -cp ").append(word(IMAGE_VARIABLE + "/lib/" + image.jar().getFileName()))
                .append(' ').append(GuestImage.MAIN_CLASS).append(' ').append(role).append(" \"$@\"\n");
        Path file = image.dir().resolve("bin").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** {@code s} as one shell word: single-quoted, the image's directory left to the shell. */
    private static String word(String s) {
        StringBuilder sb = new StringBuilder();
        int at = s.indexOf(IMAGE_VARIABLE);
        String rest = s;
        if (at >= 0) {
            sb.append(quote(s.substring(0, at))).append("\"$img\"");
            rest = s.substring(at + IMAGE_VARIABLE.length());
        }
        return sb.append(quote(rest)).toString();
    }

    private static String quote(String s) {
        return s.isEmpty() ? "" : "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Runs the demo's workload in a local cell whose init and agent run from the image, the agent
     * recording the cache, which its JVM writes as it exits. The cell's output goes to the log.
     */
    private void train() throws IOException, InterruptedException, UsageException {
        Path cellDir = Files.createTempDirectory("cellos-image-training-");
        log.println("training the AOT cache on a local cell (the demo's workload) run from the image...");
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        int status;
        try {
            Args a = Args.parse("package guest", List.of("--dir", cellDir.toString()), Set.of("dir"), Set.of());
            CellOptions options = CellOptions.parse(a, "cellos-image-training-").forTraining(new GuestImage(image.dir(), true));
            status = DemoCommand.runOver(options, new Io(InputStream.nullInputStream(), new PrintStream(summary, true,
                    StandardCharsets.UTF_8), log));
        } finally {
            DemoCommand.removeTree(cellDir);
        }
        if (status != 0 || !Files.isRegularFile(image.aotCache())) {
            throw new IOException("the training cell " + (status != 0 ? "ended with status " + status
                    : "left no " + image.aotCache()) + "; its summary:\n" + summary.toString(StandardCharsets.UTF_8));
        }
    }

    private String tool(String name) throws UsageException {
        Path p = jdk.resolve("bin").resolve(name);
        if (!Files.isExecutable(p)) {
            throw new UsageException("the JDK at " + jdk + " has no " + name + " (a JRE?): run with a full JDK "
                    + Runtime.version().feature() + ", e.g. JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64");
        }
        return p.toString();
    }

    /** Runs {@code cmd}, returns its standard output; its failure carries what it said. */
    private static String run(String what, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        if (status != 0) {
            throw new IOException(what + " failed (exit " + status + "): " + String.join(" ", cmd) + "\n" + out.strip());
        }
        return out;
    }

    /** Bytes of the regular files under {@code top} (or of {@code top}), links not followed. */
    static long sizeOf(Path top) throws IOException {
        try (Stream<Path> all = Files.walk(top)) {
            long total = 0;
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
