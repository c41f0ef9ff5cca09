package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.ExitCode;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
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
    /** How many lines of the agent's standard output that are no answer are shown. */
    private static final int SHOWN_LINES = 20;
    /** How much of such a line is shown. */
    private static final int LINE_CHARS = 1_000;

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
     * {@link #awaitReady(PrintStream)} with {@code patience}, from now, for the agent to say whether
     * it is ready and, if it is not, to exit.
     *
     * <p>Any other line on the agent's standard output — a JVM that writes its own messages there
     * despite the agent's flags, say — is no answer. A daemon thread reads the agent's standard
     * output to its end, so that nothing written there blocks the agent, and passes the first
     * {@value #SHOWN_LINES} such lines before the answer to {@code err} as the agent's (each cut at
     * {@value #LINE_CHARS} characters); the others it counts, and says how many once the output
     * ends.
     */
    LaunchedAgent awaitReady(PrintStream err, Duration patience) {
        if (process == null) {
            err.println("cellos-telemetry: not ready: " + failure);
            return new LaunchedAgent(ExitCode.NOT_READY, null, failure);
        }
        long deadline = System.nanoTime() + patience.toNanos();
        String late = "the agent did not become ready within " + patience.toSeconds() + " s";
        LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("cellos-agent-stdout").start(() -> read(answers, err));
        String reason;
        try {
            String line = answers.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith("READY ")) {
                err.println("cellos-telemetry: ready: " + line.substring(6));
                return new LaunchedAgent(ExitCode.OK, process, line.substring(6));
            }
            if (line == null || !process.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                reason = late;
            } else {
                reason = line.startsWith("NOT-READY ") ? line.substring(10)
                        : "the agent process exited with status " + process.exitValue() + " before it was ready";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "interrupted while waiting for the agent";
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        err.println("cellos-telemetry: not ready: " + reason);
        return new LaunchedAgent(ExitCode.NOT_READY, process, reason);
    }

    /**
     * Reads the agent's standard output to its end: the first {@code READY}/{@code NOT-READY} line
     * is handed to {@code answers}, and the end as {@link #END} if no answer came; other lines are
     * shown on {@code err} or counted (see {@link #awaitReady(PrintStream, Duration)}).
     */
    private void read(LinkedBlockingQueue<String> answers, PrintStream err) {
        boolean answered = false;
        int shown = 0;
        long untold = 0;
        try (Reader r = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            for (boolean more = true; more; ) {
                more = readLine(r, line);
                if (!more && line.isEmpty()) {
                    break;
                }
                String text = line.toString();
                if (!answered && (text.startsWith("READY ") || text.startsWith("NOT-READY "))) {
                    answered = true;
                    answers.add(text);
                } else if (!answered && shown < SHOWN_LINES) {
                    shown++;
                    err.println("cellos-telemetry: the agent said on standard output: " + text);
                } else {
                    untold++;
                }
            }
        } catch (IOException e) {
            // the pipe broke: as its end
        }
        if (!answered) {
            answers.add(END);
        }
        if (untold > 0) {
            err.println("cellos-telemetry: the agent wrote " + untold + " more lines on standard output, not shown");
        }
    }

    /**
     * Reads one line from {@code r} into {@code line} (cleared first), without its end, and at most
     * {@value #LINE_CHARS} characters of it (the rest is skipped).
     *
     * @return false if the stream ended
     */
    private static boolean readLine(Reader r, StringBuilder line) throws IOException {
        line.setLength(0);
        for (int c; (c = r.read()) != -1; ) {
            if (c == '\n') {
                return true;
            }
            if (line.length() < LINE_CHARS) {
                line.append((char) c);
            }
        }
        return false;
    }
}
