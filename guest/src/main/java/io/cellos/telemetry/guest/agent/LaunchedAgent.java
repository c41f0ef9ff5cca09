package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.ExitCode;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An agent {@link AgentLauncher#start} launched, ready or not, and its stop: what init and the
 * local cell, the two that start an agent and outlive it, share.
 *
 * <p>The agent is a child of the launching JVM, which reaps it (waiting on its exit is the JVM's
 * {@link Process}, whoever reaped it). Not thread-safe: one owner starts and stops it.
 */
public final class LaunchedAgent {
    private final int status;
    private final Process process;
    private final String readiness;

    /**
     * @param status    {@link ExitCode#OK} ready, {@link ExitCode#NOT_READY} not
     * @param process   the agent's process, or {@code null} if none was started
     * @param readiness what the agent said of itself when ready (pid, mechanism, channel, probes), or
     *                  why it is not
     */
    LaunchedAgent(int status, Process process, String readiness) {
        this.status = status;
        this.process = process;
        this.readiness = readiness;
    }

    /** What the agent said of itself when it became ready, or why it did not. */
    public String readiness() {
        return readiness;
    }

    /** The launch contract's status: {@link ExitCode#OK} ready, {@link ExitCode#NOT_READY} not. */
    public int status() {
        return status;
    }

    /** Whether the agent said it is ready. */
    public boolean ready() {
        return status == ExitCode.OK;
    }

    /** The agent's process (as the launcher sees it), or -1 if none was started. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Whether the workload may start under {@code mode}: with a ready agent, or unobserved under degrade. */
    public boolean workloadMayStart(FailureMode mode) {
        return ready() || mode == FailureMode.DEGRADE;
    }

    /**
     * Stops the agent: waits up to {@code grace} for it to end by itself (it does once what it
     * guards or scopes has ended), then sends SIGTERM — its orderly shutdown: it hands over what
     * it holds and removes its audit rules — and waits up to {@code patience}.
     *
     * @return {@code true} once it is gone (or none was started), {@code false} if it is still
     *         there {@code patience} after the SIGTERM
     */
    public boolean stop(Duration grace, Duration patience) throws InterruptedException {
        if (process == null || process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
            return true;
        }
        process.destroy(); // SIGTERM
        return process.waitFor(patience.toNanos(), TimeUnit.NANOSECONDS);
    }
}
