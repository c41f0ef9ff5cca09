package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.GuestJvm;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.image.GuestImage;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The launch contract (replacing the reference's {@code fork}): start the agent as a process of its
 * own, wait until it says it is ready, and return — 0 once ready, 2 with the reason if it cannot
 * become ready. The agent runs on, detached in its own session; when the launcher exits, the
 * kernel reparents it to init. It holds none of the caller's descriptors: its standard input is
 * {@code /dev/null}, its standard output the pipe its readiness comes on (closed once said), and
 * its standard error its log ({@code --log}, the kernel log by default) — so a caller that
 * captures the launcher's output sees its end when the launcher returns.
 *
 * <p>A JVM cannot fork itself safely, so the agent is a second JVM started with flags that keep it
 * small and closed: no attach mechanism, no perf data file, a small heap. Its JVM keeps its
 * SIGTERM handling, so that a SIGTERM runs the agent's orderly shutdown.
 */
public final class AgentLauncher {
    /** Hidden flag telling the agent process it was launched: detach, then report readiness on stdout. */
    static final String LAUNCHED_FLAG = "--launched";
    /** How the agent's last line in its log begins once it stopped in order; its counts follow. */
    public static final String STOPPED = "cellos-telemetry: stopped: ";
    /**
     * The packages whose methods C1 compiles at the default counts: the agent's own, and the JDK's
     * that its event path runs on every event (found with a profile of the agent under load,
     * BENCHMARKS.md, "Agent CPU per event"): strings, boxes and collections ({@code java.lang},
     * {@code java.util}, {@code jdk.internal.util}), the FFM call path ({@code java.lang.invoke},
     * {@code jdk.internal.foreign}, {@code jdk.internal.misc}) and the hasher's SHA-256
     * ({@code sun.security.provider}). A per-method {@code CompileThresholdScaling} multiplies the
     * global one, so these get its inverse.
     */
    static final List<String> EVENT_PATH_PACKAGES = List.of("io.cellos.telemetry", "java.lang", "java.util",
            "jdk.internal.foreign", "jdk.internal.misc", "jdk.internal.util", "sun.security.provider");
    /*
     * Measured in BENCHMARKS.md ("Guest agent"): GuestJvm's small JVM, with a 32 MiB heap, and
     * -Xshare:off: the default CDS archive is relocated at start, which dirties nearly all of it, so
     * mapping it costs more resident memory than loading the classes the agent uses. The two
     * diagnostic intervals stop the JVM's housekeeping threads from waking every 250 ms and every
     * second while the agent is idle.
     */
    static final List<String> JVM_OPTIONS = Stream.of(
            Stream.of("-XX:+DisableAttachMechanism", "-XX:-UsePerfData"), GuestJvm.MESSAGES_TO_STDERR.stream(),
            GuestJvm.SMALL.stream(),
            Stream.of("-Xmx32m", "-Xshare:off", "-XX:CompileCommand=quiet"),
            EVENT_PATH_PACKAGES.stream().map(p -> "-XX:CompileCommand=CompileThresholdScaling," + p + ".*::*,"
                    + 1.0 / GuestJvm.THRESHOLD_SCALING),
            Stream.of("-XX:+UnlockDiagnosticVMOptions", "-XX:AsyncDeflationInterval=0",
                    "-XX:ServiceThreadCleanupInterval=60000", "--enable-native-access=ALL-UNNAMED"))
            .flatMap(s -> s).toList();

    private AgentLauncher() {
    }

    /**
     * The file the agent's standard error is appended to: {@code path} if it can be written; the
     * kernel log (the default) if it cannot be, said here, while the caller still listens, and
     * nowhere then ({@code /dev/null}).
     */
    private static File logOf(String path, PrintStream err) {
        File f = new File(path);
        if (Files.isWritable(f.toPath()) || !f.exists() && f.getAbsoluteFile().getParentFile() != null
                && Files.isWritable(f.getAbsoluteFile().getParentFile().toPath())) {
            return f;
        }
        err.println("cellos-telemetry: the agent's log " + path + " cannot be written; its later diagnostics are lost");
        return new File("/dev/null");
    }

    /**
     * Launches the agent with {@code argv} and waits for its readiness.
     *
     * @param mainClass the class whose {@code main} runs {@code agent} (the front end in use)
     * @return 0 ready, 2 not ready
     */
    public static int launch(String mainClass, List<String> argv, PrintStream err) {
        return start(mainClass, argv, err).status();
    }

    /**
     * {@link #launch}, keeping hold of the agent: which process it is, and its stop. The agent runs on
     * this JVM's {@code java} and class path, with the image's flags if this JVM runs from a guest
     * image ({@link GuestImage#running}).
     */
    public static LaunchedAgent start(String mainClass, List<String> argv, PrintStream err) {
        return begin(mainClass, argv, err).awaitReady(err);
    }

    /**
     * {@link #start(String, List, PrintStream)}, on the runtime and jar of {@code image} rather than
     * this JVM's: a local cell running what a VM would.
     */
    public static LaunchedAgent start(GuestImage image, List<String> argv, PrintStream err) {
        return begin(image.java().toString(), image.jar().toString(), GuestImage.MAIN_CLASS, image, argv, err)
                .awaitReady(err);
    }

    /**
     * The first half of {@link #start(String, List, PrintStream)}: starts the agent's process and
     * returns at once, so that the caller works while the agent arms, and then waits for its
     * readiness ({@link StartingAgent#awaitReady}). Uses no native call of this package (init
     * starts the agent before its own first), only {@link ProcessBuilder}.
     */
    public static StartingAgent begin(String mainClass, List<String> argv, PrintStream err) {
        return begin(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
                System.getProperty("java.class.path"), mainClass, GuestImage.running().orElse(null), argv, err);
    }

    private static StartingAgent begin(String java, String classPath, String mainClass, GuestImage image,
                                       List<String> argv, PrintStream err) {
        File log;
        try {
            log = logOf(AgentOptions.parse(argv, System.getenv()).log(), err);
        } catch (UsageException e) {
            return StartingAgent.failed(e.getMessage());
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(image == null ? JVM_OPTIONS : image.jvmOptions(GuestImage.Role.AGENT, JVM_OPTIONS));
        cmd.addAll(List.of("-cp", classPath, mainClass, "agent", "--foreground",
                LAUNCHED_FLAG));
        cmd.addAll(argv);
        try {
            return StartingAgent.started(new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(
                    new File("/dev/null"))).redirectError(ProcessBuilder.Redirect.appendTo(log)).start());
        } catch (IOException e) {
            return StartingAgent.failed("cannot start the agent process: " + e.getMessage());
        }
    }
}
