package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.image.GuestImage;
import io.cellos.telemetry.guest.linux.Processes;
import io.cellos.telemetry.wire.ExitCode;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** {@code cellos package guest}: a guest image ({@link GuestImage}, {@link GuestImageBuilder}). */
final class PackageGuestCommand implements Command {
    /** The image's size goal (issue 15). */
    private static final long GOAL_BYTES = 64L << 20;
    private static final String DEFAULT_OUT = "cellos-guest-image";
    private static final String GUEST_JAR = "guest/target/cellos-telemetry.jar";

    @Override
    public String name() {
        return "package guest";
    }

    @Override
    public String summary() {
        return "make a guest image: a jlink runtime, the guest jar, an AOT cache and bin/cellos-init";
    }

    @Override
    public String help() {
        return """
                Usage: cellos package guest [--out DIR] [--guest-jar JAR] [--no-aot-cache]

                Makes a guest image: a directory a guest root filesystem takes as it is, holding
                everything init and the agent run in a microVM, and nothing else:

                  bin/cellos-init           the cell's PID 1 ('cellos init --help'), e.g. the kernel's
                                            init=/opt/cellos/bin/cellos-init
                  bin/cellos-telemetry      the agent's launch contract ('cellos agent --help')
                  runtime/                  a Java runtime made by jlink with only the modules jdeps
                                            finds the guest jar needs (java.base), stripped of debug
                                            attributes, headers and man pages, its classes compressed
                  lib/cellos-telemetry.jar  the guest jar: the guest and wire classes
                  lib/cellos.aot            the AOT cache (JEP 483/514), trained by the agent of a
                                            real local cell whose init and agent run from the image
                                            over the demo's workload ('cellos demo --help'); init,
                                            the agent and the launcher all map it (-XX:AOTCache)

                The executables are POSIX shell scripts that find the image from their own path, so
                the directory can be moved whole (a JVM accepts a cache whose runtime and jar moved
                together). Try the image with 'cellos cell run --guest-image DIR -- CMD'. At the end
                the image's size is printed, part by part.

                The root filesystem needs /bin/sh, and should have GNU env (coreutils 8.31 or
                later) on the default path: bin/cellos-init starts init's JVM through
                'env --block-signal', else init executes itself again to block its signals, a
                second JVM start (about 0.15 s later to the workload).

                Training runs a local cell, so it needs root and what 'cellos cell run' needs; it
                uses the JDK this command runs on (its jlink and jdeps), whose version the image's
                runtime has.

                Options:
                  --out DIR        where to make the image (default ./cellos-guest-image); must not
                                   exist or be empty. Removed again if the build fails
                  --guest-jar JAR  the guest jar to ship (default guest/target/cellos-telemetry.jar
                                   of this build)
                  --no-aot-cache   no cache, no training (no root needed): slower to start, since
                                   a jlink runtime has no default class data sharing archive either

                Exit status: 0 made; 1 the build failed (the message says which step); 2 bad usage.
                """;
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("out", "guest-jar"), Set.of("no-aot-cache"));
        if (!a.positional().isEmpty()) {
            throw a.usage("unexpected argument '" + a.positional().get(0) + "'");
        }
        boolean aotCache = !a.has("no-aot-cache");
        Path out = PathArgs.absolute(a.value("out") == null ? DEFAULT_OUT : a.value("out"));
        Path jar = a.value("guest-jar") == null ? defaultGuestJar(a) : PathArgs.fileToRead(a, "--guest-jar", a.value("guest-jar")).toAbsolutePath();
        boolean made = checkOut(a, out);
        if (aotCache) {
            if (Processes.geteuid() != 0) {
                throw a.usage("training the AOT cache runs a local cell, which needs root: run it as root, or give "
                        + "--no-aot-cache for an image without a cache");
            }
            LocalCell.check(List.of());
        }
        Files.createDirectories(out);
        Path jdk = Path.of(System.getProperty("java.home"));
        List<GuestImageBuilder.Part> parts;
        try {
            parts = new GuestImageBuilder(jdk, jar, new GuestImage(out, false), aotCache, io.err()).build();
        } catch (IOException | RuntimeException e) {
            io.err().println("cellos package guest: " + e.getMessage());
            if (made) {
                DemoCommand.removeTree(out);
            } else {
                emptyDirectory(out);
            }
            io.err().println("cellos package guest: nothing was left in " + out);
            return ExitCode.FAILED;
        }
        report(io, out, parts, aotCache);
        return ExitCode.OK;
    }

    /** The image's parts and size, against the goal. */
    private static void report(Io io, Path out, List<GuestImageBuilder.Part> parts, boolean aotCache) {
        io.out().println("guest image: " + out + (aotCache ? "" : " (no AOT cache)"));
        long total = 0;
        for (GuestImageBuilder.Part p : parts) {
            io.out().printf("  %-40s %9s  %s%n", p.name(), mib(p.bytes()), out.relativize(p.path()));
            total += p.bytes();
        }
        io.out().printf("  %-40s %9s  (goal < %s: %s)%n", "total", mib(total), mib(GOAL_BYTES),
                total < GOAL_BYTES ? "met" : "NOT met");
        io.out().println("try it: cellos cell run --guest-image " + out + " -- CMD");
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** Whether {@code out} is to be made (else it is an empty directory); refuses anything else. */
    private static boolean checkOut(Args a, Path out) throws UsageException, IOException {
        if (Files.notExists(out)) {
            return true;
        }
        if (!Files.isDirectory(out)) {
            throw a.usage("--out " + out + ": not a directory");
        }
        try (Stream<Path> entries = Files.list(out)) {
            if (entries.findAny().isPresent()) {
                throw a.usage("--out " + out + ": not empty (an image is made in a new or empty directory; "
                        + "remove it or name another)");
            }
        }
        return false;
    }

    private static void emptyDirectory(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                DemoCommand.removeTree(p);
            }
        }
    }

    /**
     * The guest jar of the build this command runs from: {@value #GUEST_JAR} in the first directory
     * above this command's jar (or classes) that has it.
     */
    private static Path defaultGuestJar(Args a) throws UsageException {
        Path at;
        try {
            at = Path.of(PackageGuestCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw a.usage("cannot tell where this command runs from (" + e.getMessage() + "): give --guest-jar");
        }
        for (Path d = at.toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(GUEST_JAR))) {
                return d.resolve(GUEST_JAR);
            }
        }
        throw a.usage("no " + GUEST_JAR + " above " + at + ": build it (mvn -pl guest -am package) or give --guest-jar");
    }
}
