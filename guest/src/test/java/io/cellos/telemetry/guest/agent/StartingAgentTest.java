package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.ExitCode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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

    @Test
    void anAgentThatIsNotReadyAndDoesNotExitIsKilled() throws Exception {
        Process agent = shell("echo 'NOT-READY no probe could be armed'; exec sleep 600");
        LaunchedAgent a = StartingAgent.started(agent).awaitReady(err, Duration.ofSeconds(1));
        assertEquals("the agent did not become ready within 1 s", a.readiness());
        assertTrue(agent.waitFor(10, TimeUnit.SECONDS), "killed");
    }

    /** One deadline from the start: an agent that closes its standard output late and hangs is not waited on twice. */
    @Test
    void thePatienceRunsFromTheStartWhateverTheAgentDoes() throws Exception {
        Process agent = shell("sleep 2; exec sleep 600 >&-");
        long t0 = System.nanoTime();
        LaunchedAgent a = StartingAgent.started(agent).awaitReady(err, Duration.ofSeconds(3));
        long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("the agent did not become ready within 3 s", a.readiness());
        assertTrue(waitedMillis < 4_500, "waited " + waitedMillis + " ms, not 3 s and then 3 s more");
        assertTrue(agent.waitFor(10, TimeUnit.SECONDS), "killed");
    }

    /** A flood on the agent's standard output neither blocks it nor floods the launcher's standard error. */
    @Test
    void linesThatAreNoAnswerAreShownUpToALimitAndCounted() throws Exception {
        Process agent = shell("for i in $(seq 100); do echo \"line $i\"; done; printf '%05000d\\n' 0;"
                + " echo 'READY pid 7'; echo after; exec sleep 600");
        try {
            assertEquals(ExitCode.OK, StartingAgent.started(agent).awaitReady(err, PATIENCE).status(), said());
        } finally {
            agent.destroyForcibly().waitFor();
        }
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!said().contains("more lines")) { // said by the reader once the output ends, unannounced: polled
            assertTrue(System.nanoTime() < deadline, said());
            Thread.sleep(10);
        }
        List<String> shown = said().lines().filter(l -> l.contains("the agent said on standard output: ")).toList();
        assertEquals(20, shown.size(), said());
        assertEquals("cellos-telemetry: the agent said on standard output: line 20", shown.getLast());
        assertTrue(said().contains("cellos-telemetry: the agent wrote 82 more lines on standard output, not shown"),
                said());
    }

    @Test
    void aLongLineIsCut() throws Exception {
        Process agent = shell("printf '%05000d\\n' 0; echo 'READY pid 7'; exec sleep 600");
        try {
            assertEquals(ExitCode.OK, StartingAgent.started(agent).awaitReady(err, PATIENCE).status(), said());
        } finally {
            agent.destroyForcibly().waitFor();
        }
        String shown = said().lines().filter(l -> l.contains("the agent said on standard output: ")).findFirst()
                .orElseThrow();
        assertEquals("cellos-telemetry: the agent said on standard output: " + "0".repeat(1_000), shown);
    }

    private static Process shell(String script) throws IOException {
        return new ProcessBuilder("sh", "-c", script).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private String said() {
        return said.toString(StandardCharsets.UTF_8);
    }
}
