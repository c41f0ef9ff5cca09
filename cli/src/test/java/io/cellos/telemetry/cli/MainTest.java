package io.cellos.telemetry.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The front of {@code cellos}: a group's word lists the group's commands. */
class MainTest {
    private static final Map<String, List<String>> GROUPS = Map.of("cell", List.of("cell run"), "host",
            List.of("host listen"), "frame", List.of("frame encode", "frame decode", "frame send"), "events",
            List.of("events verify", "events tail", "events keygen"));

    @Test
    void aGroupWordWithHelpListsItsCommandsWithTheirSummaries() {
        for (Map.Entry<String, List<String>> g : GROUPS.entrySet()) {
            for (String help : List.of("--help", "-h")) {
                Run r = Run.of("", g.getKey(), help);
                assertEquals(0, r.status(), r.toString());
                assertTrue(r.out().startsWith("Usage: cellos " + g.getKey() + " <command> [options]"), r.out());
                for (String c : g.getValue()) {
                    assertTrue(r.out().contains("  " + c + " "), c + " is not listed: " + r.out());
                }
            }
        }
        Run frame = Run.of("", "frame", "--help");
        assertTrue(frame.out().contains("frame decode    read frames (hex, or a raw capture) from stdin"), frame.out());
        assertTrue(!frame.out().contains("host listen"), "only the group's commands: " + frame.out());
    }

    @Test
    void aGroupWordAloneOrWithAnUnknownCommandIsAUsageErrorWithTheList() {
        Run alone = Run.of("", "cell");
        assertEquals(2, alone.status());
        assertTrue(alone.err().startsWith("cellos cell: which one? name the command\nUsage: cellos cell <command>"),
                alone.err());
        assertTrue(alone.err().contains("cell run"), alone.err());
        Run unknown = Run.of("", "events", "sign");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("cellos events: unknown command 'sign'"), unknown.err());
        assertTrue(unknown.err().contains("events verify"), unknown.err());
        Run notAGroup = Run.of("", "frobnicate", "--help");
        assertEquals(2, notAGroup.status());
        assertTrue(notAGroup.err().contains("cellos: unknown command 'frobnicate'; run 'cellos --help'"), notAGroup.err());
    }

    @Test
    void benchIsListedAndPointsAtTheScriptThatRunsIt() {
        Run overview = Run.of("", "--help");
        assertEquals(0, overview.status());
        assertTrue(overview.out().contains("\n  bench           every benchmark in one run"), overview.out());
        assertTrue(overview.out().endsWith("Run 'cellos <command> --help' for a command's options.\n"), overview.out());
        Run bench = Run.of("", "bench", "--quick");
        assertEquals(2, bench.status());
        assertTrue(bench.err().contains("./cellos bench --help"), bench.err());
    }
}
