package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.Bpf;
import io.cellos.telemetry.guest.linux.ErrnoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cellos cell run} killed with SIGKILL, as a CI time-out does: nothing of the cell outlives
 * it, the kernel's audit state is as before, no eBPF program of the agent's is left loaded, and its
 * directory serves the next run.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.cellos.telemetry.cli.CellMode#all")
class CellTeardownTest {
    /** Both worlds (the cell's own PID namespace, and the agent's, as in a microVM), with each mechanism. */
    @Parameter
    CellMode mode;

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void aKilledCellRunLeavesNothingRunningAndItsDirectoryServesAgain() throws Exception {
        Path dir = tmp.resolve("cell");
        // a workload that would outlive any test, with an argument no other process has
        String forever = "3000." + System.nanoTime() % 1_000_000;
        AuditStatus before;
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024)) {
            before = withoutAgents(audit);
        }
        Set<Integer> programsBefore = programIds();
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "cell", "run"));
        cmd.addAll(mode.options());
        cmd.addAll(List.of("--dir", dir.toString(), "--", "sh", "-c", "sleep " + forever + " & exec sleep " + forever));
        Process cell = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        List<ProcessHandle> parts;
        try {
            parts = awaitParts(dir, forever);
        } finally {
            cell.destroyForcibly(); // SIGKILL: no hook, no finally runs in it
        }
        long killed = System.nanoTime();
        Await.exits(parts, PATIENCE, () -> "cell run was killed; the cell said: " + stderr(dir));
        System.out.printf("cell torn down %d ms after cell run was killed (%d processes)%n",
                (System.nanoTime() - killed) / 1_000_000, parts.size());

        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024)) {
            AuditStatus after = audit.status();
            assertEquals(0, after.pid(), "no agent is the audit daemon any more");
            assertEquals(before.enabled(), after.enabled());
            assertEquals(before.backlogLimit(), after.backlogLimit());
            assertEquals(before.backlogWaitTime(), after.backlogWaitTime());
            assertFalse(audit.rules().stream().anyMatch(r -> r.key() != null && r.key().startsWith("cellos-telemetry:")),
                    "the agent's audit rules are gone");
        }

        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!programIds().equals(programsBefore)) {
            assertTrue(System.nanoTime() < deadline, "eBPF programs left loaded: " + programIds() + ", before the cell: "
                    + programsBefore);
            Thread.sleep(20); // the kernel frees a closed program after an RCU grace period, and says nothing
        }

        CellProcess again = CellProcess.cell(mode, dir, "/bin/echo", "again");
        assertEquals(0, again.status(), "the same --dir works again: " + again);
        assertTrue(again.out().startsWith("again\n"), again.toString());
    }

    /** The ids of the programs loaded in the kernel, machine-wide (the kernel frees a closed one after an RCU grace period). */
    private static Set<Integer> programIds() {
        Set<Integer> ids = new HashSet<>();
        try {
            for (int id = Bpf.nextProgramId(0); id >= 0; id = Bpf.nextProgramId(id)) {
                ids.add(id);
            }
        } catch (ErrnoException e) {
            throw new AssertionError(e);
        }
        return ids;
    }

    /** Audit's settings once the agents of earlier tests, still handing over, are gone. */
    private static AuditStatus withoutAgents(AuditNetlink audit) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (audit.status().pid() != 0
                || audit.rules().stream().anyMatch(r -> r.key() != null && r.key().startsWith("cellos-telemetry:"))) {
            assertTrue(System.nanoTime() < deadline, "an earlier agent is still running after " + PATIENCE);
            // audit's state is the kernel's, machine-wide, and nothing tells this test when it changes
            // (the pid of a daemon killed with SIGKILL stays until the kernel next fails to send to it):
            // it is asked again, briefly
            Thread.sleep(20);
        }
        return audit.status();
    }

    /**
     * The cell's init, agent and workload processes, once the agent has declared both of the
     * workload's execs of {@code sleep} (the cell's event log in {@code dir} holds them).
     */
    private static List<ProcessHandle> awaitParts(Path dir, String forever) throws Exception {
        Pattern execOfSleep = Pattern.compile("\"probe_source\":\"process\\.exec\".*\"path\":\"[^\"]*/sleep\"");
        Await.fileText(dir.resolve("events.jsonl"), t -> t.lines().filter(l -> execOfSleep.matcher(l).find()).count() >= 2,
                PATIENCE, "the workload's two execs of sleep");
        List<ProcessHandle> parts = new ArrayList<>();
        int workload = 0;
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            String line = describe(p);
            if (p.info().command().orElse("").endsWith("/sleep")
                    && p.info().arguments().map(a -> List.of(a).equals(List.of(forever))).orElse(false)) {
                workload++;
                parts.add(p);
            } else if (line.contains(" init ") && line.contains(dir.toString())
                    || line.contains(" agent ") && line.contains(dir.toString())) {
                parts.add(p); // unshare and init (whose arguments name the workload too), the agent
            }
        }
        assertEquals(2, workload, "the workload's two sleeps run: " + parts.stream().map(CellTeardownTest::describe).toList());
        assertTrue(parts.size() >= 4, "init and the agent run too: " + parts.stream().map(CellTeardownTest::describe).toList());
        return parts;
    }

    private static String stderr(Path dir) {
        try {
            return Files.readString(dir.resolve("stderr.txt"));
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * The pid and command line, read from {@code /proc/<pid>/cmdline}: {@code ProcessHandle.Info}
     * gives no arguments for a command line past 4 KiB, and the agent's (its JVM options and class
     * path) is longer.
     */
    private static String describe(ProcessHandle p) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            return p.pid() + " " + new String(cmdline, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException gone) {
            return p.pid() + " ?";
        }
    }
}
