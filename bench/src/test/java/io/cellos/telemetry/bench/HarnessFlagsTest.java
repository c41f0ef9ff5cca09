package io.cellos.telemetry.bench;

import io.cellos.telemetry.wire.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harnesses' {@code --name value} arguments, and what their {@code main}s say of them. */
class HarnessFlagsTest {
    private static final Map<String, String> DEFAULTS = Map.of("processes", "10", "seconds", "5");

    @Test
    void givenValuesOverrideTheDefaultsAndTheRestKeepThem() {
        HarnessFlags f = HarnessFlags.parse(new String[] {"--processes", "7"}, DEFAULTS);
        assertEquals(7, f.integer("processes"));
        assertEquals(5, f.integer("seconds"));
    }

    @Test
    void anUnknownFlagIsRefusedNamingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HarnessFlags.parse(new String[] {"--proceses", "7"}, DEFAULTS));
        assertTrue(e.getMessage().startsWith("unknown argument '--proceses'; known: --"), e.getMessage());
        assertTrue(e.getMessage().contains("--processes"), e.getMessage());
    }

    @Test
    void aFlagWithoutAValueOrANumberThatIsNoneIsRefusedSayingWhich() {
        assertEquals("--seconds needs a value", assertThrows(IllegalArgumentException.class,
                () -> HarnessFlags.parse(new String[] {"--seconds"}, DEFAULTS)).getMessage());
        HarnessFlags f = HarnessFlags.parse(new String[] {"--seconds", "five"}, DEFAULTS);
        assertEquals("--seconds takes a whole number, not 'five'",
                assertThrows(IllegalArgumentException.class, () -> f.integer("seconds")).getMessage());
    }

    /** Run as their own JVMs: {@code main} exits, and nothing of the agent is started. */
    @ParameterizedTest
    @ValueSource(classes = {AgentCost.class, AgentLatency.class})
    void harnessMainsExplainThemselvesAndRefuseABadArgumentWithTheUsageStatus(Class<?> harness) throws Exception {
        Run help = run(harness, "--help");
        assertEquals(ExitCode.OK, help.status(), help.err());
        assertTrue(help.out().startsWith("usage: " + harness.getSimpleName() + " ["), help.out());

        Run bad = run(harness, "--bogus", "1");
        assertEquals(ExitCode.USAGE, bad.status(), bad.out());
        assertTrue(bad.err().startsWith(harness.getSimpleName() + ": unknown argument '--bogus'"), bad.err());
        assertTrue(bad.err().contains("usage: " + harness.getSimpleName()), bad.err());
        assertEquals("", bad.out(), "nothing run");
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(Class<?> main, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }
}
