package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.command.UsageException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Init's command line. */
class InitOptionsTest {
    @Test
    void watchesGoToTheAgentAbsoluteAndNormalised() throws Exception {
        InitOptions o = InitOptions.parse(List.of("--watch", "srv/./app/..", "--watch", "/etc/passwd",
                "--probe-mechanism", "bpf", "--", "true"));
        String srv = Path.of("srv").toAbsolutePath().toString();
        assertEquals(List.of(srv, "/etc/passwd"), o.watches());
        assertEquals(List.of("--transport", "vsock:2:9001", "--on-agent-failure", "fail-cell", "--probe-mechanism", "bpf", "--guard",
                Long.toString(ProcessHandle.current().pid()), "--watch", srv, "--watch", "/etc/passwd"), o.agentArgs(),
                "the agent guards init's OOM score");
    }

    @Test
    void theBatchWindowGoesToTheAgentOnlyWhenGivenAndNeverWithAnExternalAgent() throws Exception {
        assertFalse(InitOptions.parse(List.of("--", "true")).agentArgs().contains("--batch-window"), "the agent's default");
        assertEquals(List.of("--transport", "vsock:2:9001", "--on-agent-failure", "fail-cell", "--probe-mechanism", "auto",
                        "--batch-window", "10ms", "--guard", Long.toString(ProcessHandle.current().pid())),
                InitOptions.parse(List.of("--batch-window", "10ms", "--", "true")).agentArgs());
        assertTrue(assertThrows(UsageException.class,
                () -> InitOptions.parse(List.of("--probe-mechanism", "audit", "--batch-window", "10ms", "--", "true")))
                .getMessage().contains("eBPF"));
        assertTrue(assertThrows(UsageException.class,
                () -> InitOptions.parse(List.of("--agent-external", "--batch-window", "10ms", "--", "true")))
                .getMessage().contains("--agent-external"));
    }

    @Test
    void aCapabilityTheWorkloadKeepsMustBeOneItWouldLose() throws Exception {
        assertEquals(java.util.Set.of(21), InitOptions.parse(List.of("--keep-capability", "CAP_SYS_ADMIN", "--", "true"))
                .keep());
        var notDropped = org.junit.jupiter.api.Assertions.assertThrows(
                io.cellos.telemetry.guest.command.UsageException.class,
                () -> InitOptions.parse(List.of("--keep-capability", "net_raw", "--", "true")));
        org.junit.jupiter.api.Assertions.assertTrue(notDropped.getMessage().contains("keeps CAP_NET_RAW anyway"),
                notDropped.getMessage());
        var unknown = org.junit.jupiter.api.Assertions.assertThrows(
                io.cellos.telemetry.guest.command.UsageException.class,
                () -> InitOptions.parse(List.of("--keep-capability", "sys_magic", "--", "true")));
        org.junit.jupiter.api.Assertions.assertTrue(unknown.getMessage().contains("no capability named 'sys_magic'"),
                unknown.getMessage());
    }
}
