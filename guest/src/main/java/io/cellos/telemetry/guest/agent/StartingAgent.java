package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.ExitCode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An agent {@link AgentLauncher#begin} started, or could not start, whose readiness is still to be
 * awaited: its process arms its probes while the launcher does other work. Not thread-safe: one
 * owner awaits it, once.
 */
public final class StartingAgent {
    /** How long an agent may take to say whether it is ready, and then to exit if it is not. */
    private static final Duration READY_PATIENCE = Duration.ofSeconds(60);
    /** The reader's sign that the agent's standard output ended with no answer (no answer is empty). */
    private static final String END = "";

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
     * Waits until the agent says whether it is ready (a line on its standard output: {@code READY
     * <summary>} or {@code NOT-READY <reason>}), or has exited, or 60 s passed (then it is killed);
     * says which on {@code err} ({@code cellos-telemetry: ready: …} or {@code cellos-telemetry: not
     * ready: …}).
     */
    public LaunchedAgent awaitReady(PrintStream err) {
        return awaitReady(err, READY_PATIENCE);
    }

    /**
     * {@link #awaitReady(PrintStream)} with {@code patience} for the agent to say it, and again for
     * an agent not ready to exit.
     *
     * <p>Any other line on the agent's standard output — a JVM that writes its own messages there
     * despite the agent's flags, say — is no answer: it is passed to {@code err} as the agent's,
     * before and after readiness, by a daemon thread that reads the agent's standard output until
     * it ends, so that nothing written there is lost or blocks the agent.
     */
    LaunchedAgent awaitReady(PrintStream err, Duration patience) {
        if (process == null) {
            err.println("cellos-telemetry: not ready: " + failure);
            return new LaunchedAgent(ExitCode.NOT_READY, null, failure);
        }
        LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("cellos-agent-stdout").start(() -> read(answers, err));
        String line;
        try {
            line = answers.poll(patience.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return notReady(err, "interrupted while waiting for the agent");
        }
        if (line != null && line.startsWith("READY ")) {
            err.println("cellos-telemetry: ready: " + line.substring(6));
            return new LaunchedAgent(ExitCode.OK, process, line.substring(6));
        }
        if (line == null) {
            return notReady(err, "the agent did not become ready within " + patience.toSeconds() + " s");
        }
        String reason = line.startsWith("NOT-READY ") ? line.substring(10) : null;
        try {
            if (!process.waitFor(patience.toNanos(), TimeUnit.NANOSECONDS)) {
                reason = "the agent did not become ready within " + patience.toSeconds() + " s";
            } else if (reason == null) {
                reason = "the agent process exited with status " + process.exitValue() + " before it was ready";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "interrupted while waiting for the agent";
        }
        return notReady(err, reason);
    }

    /** Kills the agent if it still runs, and says why it is not ready. */
    private LaunchedAgent notReady(PrintStream err, String reason) {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        err.println("cellos-telemetry: not ready: " + reason);
        return new LaunchedAgent(ExitCode.NOT_READY, process, reason);
    }

    /**
     * Reads the agent's standard output to its end: the first {@code READY}/{@code NOT-READY} line
     * is handed to {@code answers}, every other line goes to {@code err}, and the end is handed
     * over as {@link #END} if no answer came.
     */
    private void read(LinkedBlockingQueue<String> answers, PrintStream err) {
        boolean answered = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!answered && (line.startsWith("READY ") || line.startsWith("NOT-READY "))) {
                    answered = true;
                    answers.add(line);
                } else {
                    err.println("cellos-telemetry: the agent said on standard output: " + line);
                }
            }
        } catch (IOException e) {
            // the pipe broke: as its end
        }
        if (!answered) {
            answers.add(END);
        }
    }
}
