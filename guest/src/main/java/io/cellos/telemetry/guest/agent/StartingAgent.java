package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.ExitCode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * An agent {@link AgentLauncher#begin} started, or could not start, whose readiness is still to be
 * awaited: its process arms its probes while the launcher does other work. Not thread-safe: one
 * owner awaits it, once.
 */
public final class StartingAgent {
    /** How long an agent that said nothing yet may take to become ready or to exit. */
    private static final long READY_PATIENCE_SECONDS = 60;

    /** The agent's process, or {@code null} if none could be started. */
    private final Process process;
    /** Why no process was started; {@code null} if one was. */
    private final String failure;

    private StartingAgent(Process process, String failure) {
        this.process = process;
        this.failure = failure;
    }

    static StartingAgent started(Process process) {
        return new StartingAgent(process, null);
    }

    static StartingAgent failed(String reason) {
        return new StartingAgent(null, reason);
    }

    /**
     * Waits until the agent says whether it is ready (its first line on standard output: {@code READY
     * <summary>} or {@code NOT-READY <reason>}), or has exited, or {@value #READY_PATIENCE_SECONDS} s
     * passed (then it is killed); says which on {@code err} ({@code cellos-telemetry: ready: …} or
     * {@code cellos-telemetry: not ready: …}).
     */
    public LaunchedAgent awaitReady(PrintStream err) {
        if (process == null) {
            err.println("cellos-telemetry: not ready: " + failure);
            return new LaunchedAgent(ExitCode.NOT_READY, null, failure);
        }
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            line = r.readLine();
        } catch (IOException e) {
            line = null;
        }
        if (line != null && line.startsWith("READY ")) {
            err.println("cellos-telemetry: ready: " + line.substring(6));
            return new LaunchedAgent(ExitCode.OK, process, line.substring(6));
        }
        String reason = line != null && line.startsWith("NOT-READY ") ? line.substring(10) : null;
        try {
            if (!process.waitFor(READY_PATIENCE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                reason = "the agent did not become ready within " + READY_PATIENCE_SECONDS + " s";
            } else if (reason == null) {
                reason = "the agent process exited with status " + process.exitValue() + " before it was ready";
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            reason = "interrupted while waiting for the agent";
        }
        err.println("cellos-telemetry: not ready: " + reason);
        return new LaunchedAgent(ExitCode.NOT_READY, process, reason);
    }
}
