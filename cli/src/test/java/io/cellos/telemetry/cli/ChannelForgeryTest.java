package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A workload that knows the cell's directory and speaks for init and the agent on their channels:
 * an exit status of its own on the exit-code channel, and valid frames on the telemetry channel
 * with a session it made up and with none. None is believed, and each is declared.
 */
@ParameterizedClass(name = "--pid-namespace {0}")
@ValueSource(strings = {"new", "shared"})
class ChannelForgeryTest {
    /** Both worlds: the cell's own PID namespace, and the agent's (as in a microVM). */
    @Parameter
    String pidNamespace;

    private static final Path FORGE = Path.of("src/test/resources/forge.py").toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void aWorkloadCannotSpeakForInitOrTheAgentAndEachAttemptIsDeclared() throws Exception {
        Path dir = tmp.resolve("cell");
        CellProcess c = CellProcess.cell(new CellMode(pidNamespace, null), dir, "/usr/bin/python3", FORGE.toString(), dir.toString());

        assertEquals(0, c.status(), "the cell's status is the workload's own (python exits 0), not the 42 it sent: " + c);
        assertTrue(c.out().contains("workload: /usr/bin/python3 " + FORGE + " " + dir + " -> exit 0"), c.out());
        for (String attempt : List.of("exit_status", "telemetry_made_up_session", "telemetry_no_session")) {
            assertTrue(c.out().contains(attempt + " connected"), attempt + " reached the host's socket: " + c);
        }
        assertTrue(c.events().stream().noneMatch(e -> e.path("data").path("guest_pid").asLong() == 4242424
                || e.path("data").path("guest_comm").asText().equals("rt-forged")), "no forged frame became an event");

        List<JsonNode> refused = c.ofType("channel_refused");
        assertEquals(1, refused.stream().filter(e -> e.path("data").path("port").asInt() == 9000).count(),
                "the exit report declared: " + refused);
        assertEquals(2, refused.stream().filter(e -> e.path("data").path("port").asInt() == 9001).count(),
                "both telemetry connections declared: " + refused);
        assertTrue(c.out().contains("channels refused: 3"), "the summary shows them: " + c.out());
        assertTrue(c.ofType("process.exec").stream().anyMatch(e -> e.path("data").path("guest_comm").asText()
                .equals("python3")), "the agent's own connection went on");
    }
}
