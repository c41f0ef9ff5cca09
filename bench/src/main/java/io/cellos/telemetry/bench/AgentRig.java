package io.cellos.telemetry.bench;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real agent at work, as a local cell has it: a {@link Receiver} in this JVM bound at a UNIX
 * socket in a fresh directory, whose events go to an {@link ArrivalLog}; a {@link ScopedShell};
 * and the agent, started by the real launcher ({@code cellos agent --transport unix:… --scope-root
 * <shell> --heartbeat …}, which returns once the agent is ready and leaves it running as a process
 * of its own, with the JVM flags of {@code AgentLauncher}). No vsock socket is ever connected.
 *
 * <p>{@link #close} stops the agent with SIGTERM, so that it takes its audit rules back, and waits
 * for it; then ends the shell and the receiver, copies what the launcher and the agent said on
 * standard error to the rig's warnings, and deletes the directory.
 *
 * <p>Not thread-safe; owns the receiver, the shell, the agent process and the directory.
 */
final class AgentRig implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ready: pid (\\d+)");
    private static final long LAUNCH_PATIENCE_SECONDS = 90;
    private static final long STOP_PATIENCE_SECONDS = 20;

    private final Path dir;
    private final ArrivalLog log;
    private final Receiver receiver;
    private final CellHandle cell;
    private final ScopedShell shell;
    private final long agentPid;
    private final String readiness;
    private final PrintStream warnings;

    private AgentRig(Path dir, ArrivalLog log, Receiver receiver, CellHandle cell, ScopedShell shell, long agentPid,
                     String readiness, PrintStream warnings) {
        this.dir = dir;
        this.log = log;
        this.receiver = receiver;
        this.cell = cell;
        this.shell = shell;
        this.agentPid = agentPid;
        this.readiness = readiness;
        this.warnings = warnings;
    }

    /**
     * How a harness starts the agent, with their defaults: {@code --agent-classpath} and {@code
     * --agent-main}, on this harness's {@code java} (the {@code cellos} jar, or the guest image's jar
     * with {@code io.cellos.telemetry.guest.GuestMain}); or {@code --guest-image DIR}, by the image's
     * own launcher ({@code DIR/bin/cellos-telemetry}), on the image's runtime and with its flags and
     * AOT cache, as a VM's init starts it ({@code none}, the default: from the class path).
     */
    private static final Map<String, String> LAUNCH_OPTIONS = Map.of("agent-classpath", "cli/target/cellos.jar",
            "agent-main", "io.cellos.telemetry.cli.Main", "guest-image", "none");
    /** The agent's own options a harness passes on, with their defaults: {@code default} passes none, the agent's default. */
    static final Map<String, String> AGENT_OPTIONS = Map.of("probe-mechanism", "default", "batch-window", "default");

    /** {@code defaults} with {@link #LAUNCH_OPTIONS} and {@link #AGENT_OPTIONS}: the flags of a harness that runs the agent. */
    static Map<String, String> withAgentOptions(Map<String, String> defaults) {
        Map<String, String> all = new LinkedHashMap<>(defaults);
        all.putAll(LAUNCH_OPTIONS);
        all.putAll(AGENT_OPTIONS);
        return all;
    }

    /** The agent options of {@link #AGENT_OPTIONS} that {@code f} sets, as the agent's arguments. */
    static List<String> agentOptions(HarnessFlags f) {
        List<String> a = new ArrayList<>();
        for (String name : List.of("probe-mechanism", "batch-window")) {
            if (!f.string(name).equals("default")) {
                a.addAll(List.of("--" + name, f.string(name)));
            }
        }
        return a;
    }

    /**
     * Binds the receiver, starts the shell and launches the agent as {@code f} says ({@link
     * #withAgentOptions}), with its {@link #agentOptions} after the rig's own.
     *
     * @throws IOException naming what failed, with what the launcher said if it was not ready
     */
    static AgentRig start(HarnessFlags f, Duration heartbeat, PrintStream warnings)
            throws IOException, InterruptedException {
        List<String> launcher = new ArrayList<>();
        if (f.string("guest-image").equals("none")) {
            String java = ProcessHandle.current().info().command().orElseThrow(
                    () -> new IOException("cannot tell which java runs this harness"));
            launcher.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", f.string("agent-classpath"),
                    f.string("agent-main"), "agent"));
        } else {
            Path script = Path.of(f.string("guest-image"), "bin", "cellos-telemetry");
            if (!Files.isExecutable(script)) {
                throw new IllegalArgumentException("--guest-image: no " + script + " (make one with 'cellos package guest')");
            }
            launcher.add(script.toString());
        }
        return start(launcher, heartbeat, agentOptions(f), warnings);
    }

    private static AgentRig start(List<String> launch, Duration heartbeat, List<String> agentOptions,
                                  PrintStream warnings) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("agent-rig");
        ArrivalLog log = new ArrivalLog();
        Receiver receiver = Receiver.start(ReceiverOptions.defaults().withLoops(1), log, warnings);
        ScopedShell shell = null;
        try {
            CellHandle cell = receiver.bind(dir.resolve("cell"), new CellStamp("bench", "agent-rig", null));
            shell = new ScopedShell();
            Path launcherErr = dir.resolve("agent.err");
            long t0 = System.nanoTime();
            List<String> command = new ArrayList<>(launch);
            command.addAll(List.of("--transport", "unix:" + cell.socketPath(), "--scope-root", Long.toString(shell.pid()),
                    "--heartbeat", heartbeat.toMillis() + "ms"));
            command.addAll(agentOptions);
            Process launcher = new ProcessBuilder(command)
                    .redirectError(launcherErr.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!launcher.waitFor(LAUNCH_PATIENCE_SECONDS, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
                throw new IOException("the agent launcher did not return within " + LAUNCH_PATIENCE_SECONDS + " s");
            }
            double launchSeconds = (System.nanoTime() - t0) / 1e9;
            String said = Files.readString(launcherErr);
            Matcher m = READY.matcher(said);
            if (launcher.exitValue() != 0 || !m.find()) {
                throw new IOException("the agent did not become ready (launcher status " + launcher.exitValue()
                        + "): " + said.strip());
            }
            return new AgentRig(dir, log, receiver, cell, shell, Long.parseLong(m.group(1)),
                    String.format(Locale.ROOT, "launcher returned 0 after %.2f s: %s", launchSeconds,
                            said.lines().filter(l -> l.contains("ready: pid")).findFirst().orElse(said).strip()),
                    warnings);
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (shell != null) {
                shell.close();
            }
            receiver.close();
            TempTree.delete(dir);
            throw e;
        }
    }

    ArrivalLog log() {
        return log;
    }

    ScopedShell shell() {
        return shell;
    }

    long agentPid() {
        return agentPid;
    }

    /** How long the launcher took to return ready, and its readiness line: the agent's pid, channel, probes and scope. */
    String readiness() {
        return readiness;
    }

    /**
     * Stops the agent with SIGTERM and waits for it, then releases the rest.
     *
     * @throws TimeoutException       if the agent outlived the patience (it is then killed, and its
     *                                audit rules may be left behind; the next agent's arming cleans
     *                                them up)
     * @throws InterruptedIOException if interrupted while waiting (the interrupt is kept)
     */
    @Override
    public void close() throws IOException, TimeoutException {
        try {
            Optional<ProcessHandle> agent = ProcessHandle.of(agentPid);
            if (agent.isPresent() && agent.get().destroy()) {
                try {
                    agent.get().onExit().get(STOP_PATIENCE_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("waiting for the agent's exit", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the agent (pid " + agentPid + ") stopped");
                } catch (TimeoutException e) {
                    agent.get().destroyForcibly();
                    throw new TimeoutException("the agent (pid " + agentPid + ") outlived SIGTERM by "
                            + STOP_PATIENCE_SECONDS + " s and was killed");
                }
            }
        } finally {
            shell.close();
            cell.close();
            receiver.close();
            warnings.println("-- what the launcher and the agent said on standard error:");
            Files.copy(dir.resolve("agent.err"), warnings);
            TempTree.delete(dir);
        }
    }
}
