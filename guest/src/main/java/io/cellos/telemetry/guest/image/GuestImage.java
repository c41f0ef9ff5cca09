package io.cellos.telemetry.guest.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A guest image, the directory {@code cellos package guest} makes and a guest root filesystem takes
 * as it is, anywhere (a JVM accepts a cache whose runtime and jar moved together to another directory):
 *
 * <pre>
 * bin/cellos-init, bin/cellos-telemetry   the two roles, with their JVM flags
 * runtime/                                a jlink runtime of the modules the guest needs
 * lib/cellos-telemetry.jar                the guest jar (guest and wire classes)
 * lib/cellos.aot                          the AOT cache (JEP 483), when the image has one
 * </pre>
 *
 * <p>One cache serves both roles. A cache is written by the one JVM that trained it, and init and
 * the agent are two JVMs; the agent's loads the most (its probes, every FFM binding, the eBPF
 * assembler), and init's classes share most of what is costly to load with it (the FFM machinery,
 * {@code java.lang.invoke}), so the cache is trained by the agent and mapped by init too: classes
 * init needs beyond it come from the jar as they would without a cache. A cache per role was
 * measured too: 12.9 + 14.4 MiB, which takes the image over its 64 MiB, for no start-up time the
 * measurement could tell apart (BENCHMARKS.md, "Guest image").
 *
 * <p>A JVM that runs from an image knows it by the system property {@link #PROPERTY}, which the
 * image's executables set, so that init launches the agent with the image's flags
 * ({@link #jvmOptions}). Immutable.
 *
 * @param dir      the image's directory
 * @param training whether the agent records the cache ({@code -XX:AOTCacheOutput}, written when its
 *                 JVM exits) instead of the roles using it
 */
public record GuestImage(Path dir, boolean training) {
    /** The system property naming the image a JVM runs from. */
    public static final String PROPERTY = "cellos.guest.image";
    /** The system property saying the image is being trained: its agent records the AOT cache. */
    public static final String TRAINING_PROPERTY = "cellos.guest.image.training";
    /** The guest jar's main class, for both roles. */
    public static final String MAIN_CLASS = "io.cellos.telemetry.guest.GuestMain";

    /** The two JVMs of a guest. */
    public enum Role {
        INIT, AGENT
    }

    /** The image this JVM runs from, told by {@link #PROPERTY}; empty when it runs from elsewhere. */
    public static Optional<GuestImage> running() {
        String dir = System.getProperty(PROPERTY);
        return dir == null || dir.isEmpty() ? Optional.empty()
                : Optional.of(new GuestImage(Path.of(dir), Boolean.getBoolean(TRAINING_PROPERTY)));
    }

    /** The image's {@code java}. */
    public Path java() {
        return dir.resolve("runtime/bin/java");
    }

    /** The guest jar, both roles' class path. */
    public Path jar() {
        return dir.resolve("lib/cellos-telemetry.jar");
    }

    /** The AOT cache both roles use, which the agent writes when training. */
    public Path aotCache() {
        return dir.resolve("lib/cellos.aot");
    }

    /** What is missing for the image to run the roles (its {@code java} or jar), or empty if nothing is. */
    public Optional<String> missing() {
        if (!Files.isExecutable(java())) {
            return Optional.of(java() + " is missing or not executable");
        }
        if (!Files.isRegularFile(jar())) {
            return Optional.of(jar() + " is missing");
        }
        return Optional.empty();
    }

    /**
     * The JVM flags of {@code role} run from this image: {@code base} (the role's own flags), then the
     * image's — its name, and the cache: recorded by the agent when training, else used if the image
     * has it.
     */
    public List<String> jvmOptions(Role role, List<String> base) {
        return jvmOptions(role, base, !training && Files.isRegularFile(aotCache()));
    }

    /**
     * {@link #jvmOptions(Role, List)}, with or without the cache as {@code cached} says (the
     * executables are written with the image's directory as a shell variable).
     *
     * <p>A JVM refuses {@code -XX:AOTCache} and {@code -XX:AOTCacheOutput} beside any {@code -Xshare}
     * flag, so with either those are left out of {@code base}: the cache is the class data sharing.
     */
    public List<String> jvmOptions(Role role, List<String> base, boolean cached) {
        boolean records = training && role == Role.AGENT;
        List<String> options = new ArrayList<>();
        for (String o : base) {
            if (!((cached || records) && o.startsWith("-Xshare:"))) {
                options.add(o);
            }
        }
        options.add("-D" + PROPERTY + "=" + dir);
        if (training) {
            options.add("-D" + TRAINING_PROPERTY + "=true");
        }
        if (records) {
            options.add("-XX:AOTCacheOutput=" + aotCache());
        } else if (cached) {
            options.add("-XX:AOTCache=" + aotCache());
        }
        return options;
    }
}
