package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.command.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's command line and environment. */
class AgentOptionsTest {
    @Test
    void defaultsAreTheHostOverVsockFailCellAndTwoSecondHeartbeats() throws Exception {
        AgentOptions o = AgentOptions.parse(List.of(), Map.of());
        assertEquals("vsock:2:9001", o.transport().toString());
        assertEquals(FailureMode.FAIL_CELL, o.failureMode());
        assertEquals(1024, o.queue());
        assertEquals(Duration.ofSeconds(2), o.heartbeat());
        assertEquals(-1, o.scopeRoot());
        assertEquals(List.of(), o.watches());
    }

    @Test
    void everyOptionAndTheCompatibilityVariable() throws Exception {
        AgentOptions o = AgentOptions.parse(List.of("--transport", "unix:/run/c.vsock_9001", "--watch", "/etc/a",
                        "--watch", "/srv", "--on-agent-failure", "degrade", "--queue", "8", "--heartbeat", "500ms",
                        "--scope-root", "77", "--process-probe", "procwalk"),
                Map.of(AgentOptions.INOTIFY_PATH_VARIABLE, "/var/x"));
        assertEquals("/run/c.vsock_9001", o.transport().unixPath());
        assertEquals(List.of("/etc/a", "/srv", "/var/x"), o.watches());
        assertEquals(FailureMode.DEGRADE, o.failureMode());
        assertEquals(8, o.queue());
        assertEquals(Duration.ofMillis(500), o.heartbeat());
        assertEquals(77, o.scopeRoot());
        assertEquals("procwalk", o.processProbe());
        assertEquals(ProbeMechanism.AUDIT, o.mechanism(), "the walk is audit's process probe");
    }

    @Test
    void theMechanismIsAutoUnlessChosen() throws Exception {
        assertEquals(ProbeMechanism.AUTO, AgentOptions.parse(List.of(), Map.of()).mechanism());
        assertEquals(ProbeMechanism.BPF, AgentOptions.parse(List.of("--probe-mechanism", "bpf"), Map.of()).mechanism());
        assertEquals(ProbeMechanism.AUDIT, AgentOptions.parse(List.of("--probe-mechanism", "audit"), Map.of()).mechanism());
        assertEquals(ProbeMechanism.AUDIT, AgentOptions.parse(List.of("--process-probe", "connector"), Map.of()).mechanism());
    }

    @Test
    void theBatchWindowIsOffUnlessGivenAndOnlyEbpfTakesOne() throws Exception {
        assertEquals(Duration.ZERO, AgentOptions.parse(List.of(), Map.of()).batchWindow());
        assertEquals(Duration.ofMillis(10), AgentOptions.parse(List.of("--batch-window", "10ms"), Map.of()).batchWindow());
        assertEquals(Duration.ofMillis(100),
                AgentOptions.parse(List.of("--probe-mechanism", "bpf", "--batch-window", "100ms"), Map.of()).batchWindow());
        assertEquals(Duration.ZERO, AgentOptions.parse(List.of("--batch-window", "0"), Map.of()).batchWindow());
        assertEquals(Duration.ZERO, AgentOptions.parse(List.of("--batch-window", "0ms"), Map.of()).batchWindow());
        assertEquals(Duration.ZERO, AgentOptions.parse(List.of("--probe-mechanism", "audit", "--batch-window", "0"),
                Map.of()).batchWindow(), "off is no window under audit either");
        for (String bad : List.of("1s", "500", "-1ms", "fast")) {
            UsageException e = assertThrows(UsageException.class,
                    () -> AgentOptions.parse(List.of("--batch-window", bad), Map.of()));
            assertTrue(e.getMessage().contains("--batch-window"), "names the option: " + e.getMessage());
        }
        assertTrue(assertThrows(UsageException.class, () -> AgentOptions.parse(List.of("--batch-window", "1s"), Map.of()))
                .getMessage().contains("1ms to 100ms, got 1s"), "says the range");
        for (List<String> audit : List.of(List.of("--probe-mechanism", "audit"), List.of("--process-probe", "connector"))) {
            List<String> args = new ArrayList<>(audit);
            args.addAll(List.of("--batch-window", "5ms"));
            String message = assertThrows(UsageException.class, () -> AgentOptions.parse(args, Map.of())).getMessage();
            assertTrue(message.contains("eBPF") && message.contains(String.join(" ", audit)),
                    "audit has no window, and what chose audit is named: " + message);
        }
    }

    @Test
    void watchesAreAbsoluteAndNormalisedWithTheirSymbolicLinksKept(@TempDir Path tmp) throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Files.createDirectory(tmp.resolve("real")));
        Path relative = Path.of("").toAbsolutePath().relativize(link.resolve("./sub/../f"));
        AgentOptions o = AgentOptions.parse(List.of("--watch", relative.toString(), "--watch", "/srv/./a/../b"),
                Map.of(AgentOptions.INOTIFY_PATH_VARIABLE, "rel"));
        assertEquals(List.of(link.resolve("f").toString(), "/srv/b", Path.of("rel").toAbsolutePath().toString()),
                o.watches());
    }

    @Test
    void badValuesSayWhatIsAccepted() {
        assertRefused("unix:PATH nor vsock:CID:PORT", "--transport", "tcp:1.2.3.4:9");
        assertRefused("fail-cell or degrade", "--on-agent-failure", "ignore");
        assertRefused("--probe-mechanism must be auto, bpf or audit, got 'ebpf'", "--probe-mechanism", "ebpf");
        assertRefused("--probe-mechanism bpf has its own", "--probe-mechanism", "bpf", "--process-probe", "procwalk");
        assertRefused("--queue must be at least 1", "--queue", "0");
        assertRefused("neither unix:PATH nor vsock:CID:PORT", "--transport", "vsock:2");
        assertRefused("'2' is not a duration", "--heartbeat", "2");
        assertRefused("--heartbeat 0s is no time at all", "--heartbeat", "0s");
        assertRefused("--scope-root 0 names no process", "--scope-root", "0");
    }

    private static void assertRefused(String expected, String... argv) {
        UsageException e = assertThrows(UsageException.class, () -> AgentOptions.parse(List.of(argv), Map.of()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
