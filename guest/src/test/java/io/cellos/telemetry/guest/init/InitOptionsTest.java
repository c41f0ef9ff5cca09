package io.cellos.telemetry.guest.init;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Init's command line. */
class InitOptionsTest {
    @Test
    void watchesGoToTheAgentAbsoluteAndNormalised() throws Exception {
        InitOptions o = InitOptions.parse(List.of("--watch", "srv/./app/..", "--watch", "/etc/passwd", "--", "true"));
        String srv = Path.of("srv").toAbsolutePath().toString();
        assertEquals(List.of(srv, "/etc/passwd"), o.watches());
        assertEquals(List.of("--transport", "vsock:2:9001", "--on-agent-failure", "fail-cell", "--watch", srv, "--watch",
                "/etc/passwd"), o.agentArgs());
    }
}
