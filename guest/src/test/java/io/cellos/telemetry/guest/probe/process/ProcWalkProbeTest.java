package io.cellos.telemetry.guest.probe.process;

import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code /proc} walk against real processes: what it sees, and what it cannot. */
class ProcWalkProbeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int PROCESSES = 500;

    @Test
    void theWalkMissesMostOfFiveHundredProcessesLivingUnderAMillisecond() throws Exception {
        TreeScope scope = TreeScope.ofThisJvm();
        try (ProbeHarness h = ProbeHarness.start(new ProcWalkProbe(), scope)) {
            ShortLivedProcesses run = ShortLivedProcesses.execTrue(PROCESSES);
            // lives across several walks: once it is declared gone, every earlier process has had its chance
            Process marker = new ProcessBuilder("sleep", "0.5").start();
            marker.waitFor();
            h.await(e -> e.source() == ProbeSource.PROCESS_EXITED && e.guestPid() == marker.pid(), 1, PATIENCE);

            Set<Integer> pids = new HashSet<>(run.pids());
            long seen = h.events().stream()
                    .filter(e -> e.source() == ProbeSource.PROCESS_SPAWNED && pids.contains((int) e.guestPid())).count();
            System.out.printf("/proc walk every 100 ms: saw %d of %d processes (%.1f %%)%n",
                    seen, PROCESSES, 100.0 * seen / PROCESSES);
            assertTrue(seen < PROCESSES / 2, "the walk misses most of them, yet saw " + seen);
            assertFalse(h.events().stream().anyMatch(e -> e.source() == ProbeSource.PROCESS_EXEC), "the walk sees no exec");
        }
    }

    @Test
    void theBaselineIsSilentAndChangesAreDeclaredWithoutExitCode() throws Exception {
        Process before = new ProcessBuilder("sleep", "120").start();
        Process after = null;
        try {
            ProcView.assertComm(before.pid(), "sleep");
            try (ProbeHarness h = ProbeHarness.start(new ProcWalkProbe(Duration.ofMillis(20)))) {
                after = new ProcessBuilder("sleep", "120").start();
                long afterPid = after.pid();
                ProbeEvent spawned = h.await(e -> e.source() == ProbeSource.PROCESS_SPAWNED && e.guestPid() == afterPid,
                        1, PATIENCE).getFirst();
                assertEquals(ProcessHandle.current().pid(), spawned.extensions().parentPid());

                before.destroyForcibly().waitFor();
                ProbeEvent exited = h.await(e -> e.source() == ProbeSource.PROCESS_EXITED
                        && e.guestPid() == before.pid(), 1, PATIENCE).getFirst();
                assertEquals("sleep", exited.guestComm(), "the name from the baseline");
                assertNull(exited.extensions().exitCode(), "a walk cannot know the exit status");
                assertFalse(h.events().stream().anyMatch(e -> e.source() == ProbeSource.PROCESS_SPAWNED
                        && e.guestPid() == before.pid()), "a process there before the probe is not declared spawned");
            }
        } finally {
            before.destroyForcibly();
            if (after != null) {
                after.destroyForcibly();
            }
        }
    }
}
