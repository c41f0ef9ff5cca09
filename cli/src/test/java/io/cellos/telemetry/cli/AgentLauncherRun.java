package io.cellos.telemetry.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One run of {@code cellos agent ARGS} as a process of its own, as init would start it: its exit
 * status, its standard error, and the pid of the agent it left running (or -1).
 *
 * @param status      the launcher's exit status
 * @param stderr      what the launcher said
 * @param launcherPid the launcher's pid
 * @param agentPid    the running agent's pid, from its readiness line, or -1
 */
record AgentLauncherRun(int status, String stderr, long launcherPid, long agentPid) implements AutoCloseable {
    private static final Pattern READY_PID = Pattern.compile("ready: pid (\\d+)");

    static AgentLauncherRun start(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "agent"));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "launcher", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher returns");
        String stderr = Files.readString(err);
        Matcher m = READY_PID.matcher(stderr);
        return new AgentLauncherRun(p.exitValue(), stderr, p.pid(), m.find() ? Long.parseLong(m.group(1)) : -1);
    }

    /**
     * Stops the agent, if one was left running, as init does: SIGTERM, on which it closes its
     * probes and takes its audit rules and settings back (a SIGKILL would leave them to the next
     * agent, and the machine audited after the tests); SIGKILL only if it has not ended in 30 s.
     */
    @Override
    public void close() {
        if (agentPid > 0) {
            ProcessHandle.of(agentPid).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception notEnded) {
                    h.destroyForcibly();
                    h.onExit().join();
                }
            });
        }
    }
}
