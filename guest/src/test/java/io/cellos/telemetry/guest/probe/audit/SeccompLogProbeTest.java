package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seccomp gate's refusals read from audit's multicast log, audit left as it was (root, real kernel). */
class SeccompLogProbeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Path REFUSED = Path.of("src/test/resources/seccomp_refused.py").toAbsolutePath();
    private static final int GETPPID = 110;

    @Test
    void aLoggedSeccompRefusalIsDeclaredWithItsSyscallAndAuditIsNotTouched() throws Exception {
        try (AuditNetlink control = new AuditNetlink("test audit control", false, 64 * 1024)) {
            AuditStatus before = control.status();
            int rulesBefore = control.rules().size();
            try (ProbeHarness h = ProbeHarness.start(new SeccompLogProbe())) {
                assertEquals(before.enabled(), control.status().enabled(), "armed, audit is as it was");
                assertEquals(before.pid(), control.status().pid(), "and has the same daemon (or none)");
                assertEquals(rulesBefore, control.rules().size(), "and the same rules");

                Process p = new ProcessBuilder("/usr/bin/python3", REFUSED.toString(), "3").start();
                String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                assertTrue(said.startsWith("refused -1 1"), "getppid refused with EPERM: " + said);

                List<ProbeEvent> denied = h.await(e -> e.source() == ProbeSource.CAPABILITY_DENIED
                        && e.guestPid() == p.pid(), 3, PATIENCE);
                for (ProbeEvent e : denied) {
                    assertEquals(GETPPID, e.extensions().syscall(), e.toString());
                    assertEquals("python3", e.guestComm());
                }
            }
        }
    }
}
