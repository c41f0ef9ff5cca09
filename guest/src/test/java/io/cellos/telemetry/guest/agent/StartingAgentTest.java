package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.ExitCode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's wait for the agent's answer, against real processes that stand in for the agent
 * on its standard output.
 */
class StartingAgentTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ByteArrayOutputStream said = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);

    /** What a JVM writes on standard output by default when the image's AOT cache does not fit it. */
    @Test
    void theJvmsOwnMessagesBeforeTheAnswerArePassedOnAndAreNoAnswer() throws Exception {
        Process agent = shell("echo '[0.025s][error][aot] Unable to map shared spaces'; echo 'READY pid 42, mechanism bpf';"
                + " exec sleep 30");
        try {
            LaunchedAgent a = StartingAgent.started(agent).awaitReady(err, PATIENCE);
            assertEquals(ExitCode.OK, a.status(), said());
            assertEquals("pid 42, mechanism bpf", a.readiness());
            assertTrue(said().contains("cellos-telemetry: the agent said on standard output: [0.025s][error][aot] Unable"
                    + " to map shared spaces"), said());
            assertTrue(said().contains("cellos-telemetry: ready: pid 42"), said());
        } finally {
            agent.destroyForcibly().waitFor();
        }
    }

    @Test
    void anAgentThatSaysNothingIsKilledWhenPatienceEnds() throws Exception {
        Process agent = shell("exec sleep 600");
        LaunchedAgent a = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> StartingAgent.started(agent).awaitReady(err, Duration.ofSeconds(1)));
        assertEquals(ExitCode.NOT_READY, a.status());
        assertEquals("the agent did not become ready within 1 s", a.readiness());
        assertTrue(agent.waitFor(10, TimeUnit.SECONDS), "killed");
        assertTrue(said().contains("cellos-telemetry: not ready: the agent did not become ready within 1 s"), said());
    }

    @Test
    void anAgentThatIsNotReadySaysWhy() throws Exception {
        LaunchedAgent a = StartingAgent.started(shell("echo 'NOT-READY no probe could be armed'; exit 2"))
                .awaitReady(err, PATIENCE);
        assertEquals(ExitCode.NOT_READY, a.status());
        assertEquals("no probe could be armed", a.readiness());
    }

    @Test
    void anAgentThatEndsWithoutAnAnswerIsNotReadyWithItsStatus() throws Exception {
        LaunchedAgent a = StartingAgent.started(shell("echo 'Error: Could not find or load main class x'; exit 1"))
                .awaitReady(err, PATIENCE);
        assertEquals(ExitCode.NOT_READY, a.status());
        assertEquals("the agent process exited with status 1 before it was ready", a.readiness());
        assertTrue(said().contains("the agent said on standard output: Error: Could not find"), said());
        assertFalse(said().contains("cellos-telemetry: ready"), said());
    }

    private static Process shell(String script) throws IOException {
        return new ProcessBuilder("sh", "-c", script).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private String said() {
        return said.toString(StandardCharsets.UTF_8);
    }
}
