package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.exec.FileKey;
import io.cellos.telemetry.guest.probe.KnownProcesses;
import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.guest.probe.RecordingOutput;
import io.cellos.telemetry.wire.CommandLine;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The eBPF process probe against real processes and the real kernel (root). */
class EbpfProcessProbeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aChildsForkExecAndExitAreDeclaredWithItsParentNameAndPath() throws Exception {
        long self = ProcessHandle.current().pid();
        long before = System.nanoTime();
        try (ProbeHarness h = ProbeHarness.start(new EbpfProcessProbe())) {
            Process child = new ProcessBuilder("/bin/sh", "-c", "exec /bin/true").start();
            assertEquals(0, child.waitFor());
            long pid = child.pid();

            ProbeEvent spawned = h.await(e -> e.source() == ProbeSource.PROCESS_SPAWNED && e.guestPid() == pid, 1, PATIENCE).getFirst();
            assertEquals(self, spawned.extensions().parentPid(), "parent_pid: this JVM forked it");
            assertFalse(spawned.guestComm().isEmpty(), "born with the forking thread's name: " + spawned);

            List<ProbeEvent> execs = h.await(e -> e.source() == ProbeSource.PROCESS_EXEC && e.guestPid() == pid
                    && "/bin/true".equals(e.extensions().path()), 1, PATIENCE);
            assertEquals("true", execs.getFirst().guestComm());
            assertTrue(h.events().stream().anyMatch(e -> e.source() == ProbeSource.PROCESS_EXEC && e.guestPid() == pid
                    && "/bin/sh".equals(e.extensions().path()) && "sh".equals(e.guestComm())), "the exec of /bin/sh before");

            ProbeEvent exited = h.await(e -> e.source() == ProbeSource.PROCESS_EXITED && e.guestPid() == pid, 1, PATIENCE).getFirst();
            assertEquals("true", exited.guestComm());
            assertEquals(0L, exited.extensions().exitCode(), "exit_code: the wait status of a clean exit");

            for (ProbeEvent e : List.of(spawned, execs.getFirst(), exited)) {
                assertTrue(e.guestMonotonicNs() >= before && e.guestMonotonicNs() <= System.nanoTime(),
                        "the kernel's stamp is on System.nanoTime()'s clock: " + e);
            }
            assertTrue(spawned.guestMonotonicNs() < execs.getFirst().guestMonotonicNs()
                    && execs.getFirst().guestMonotonicNs() < exited.guestMonotonicNs(), "in the kernel's order");
        }
    }

    @Test
    void theWaitStatusIsTheKernelsForAnExitCodeAndForASignal() throws Exception {
        try (ProbeHarness h = ProbeHarness.start(new EbpfProcessProbe())) {
            Process three = new ProcessBuilder("/bin/sh", "-c", "exit 3").start();
            assertEquals(3, three.waitFor());
            Process killed = new ProcessBuilder("/bin/sleep", "60").start();
            killed.destroyForcibly().waitFor();
            Process threaded = new ProcessBuilder("python3", "-c",
                    "import threading, os; t = threading.Thread(target=lambda: os._exit(7)); t.start(); t.join()").start();
            assertEquals(7, threaded.waitFor());

            assertEquals(3L << 8, exitCodeOf(h, three.pid()), "exit(3): 3 << 8");
            assertEquals(9L, exitCodeOf(h, killed.pid()), "SIGKILL: the signal's number");
            assertEquals(7L << 8, exitCodeOf(h, threaded.pid()), "exit_group from a thread other than the leader");
        }
    }

    private static long exitCodeOf(ProbeHarness h, long pid) throws InterruptedException {
        return h.await(e -> e.source() == ProbeSource.PROCESS_EXITED && e.guestPid() == pid, 1, PATIENCE)
                .getFirst().extensions().exitCode();
    }

    @Test
    void theCommandLineIsTheKernelsAtTheExecQuotedAndAScriptIsNamedByItsPath(@TempDir Path tmp) throws Exception {
        Path script = tmp.resolve("job with space.sh");
        Files.writeString(script, "#!/bin/sh\nexec sleep 0.3\n");
        script.toFile().setExecutable(true);
        try (ProbeHarness h = ProbeHarness.start(new EbpfProcessProbe())) {
            // the program rewrites its own argument area once it runs: the event keeps what the kernel laid out
            List<String> argv = List.of("/usr/bin/python3", "-c", REWRITE_ARGV, "it's", "");
            Process rewrites = new ProcessBuilder(argv).start();
            assertEquals(0, rewrites.waitFor(), new String(rewrites.getErrorStream().readAllBytes()));
            Process runsScript = new ProcessBuilder(script.toString(), "arg").start();
            assertEquals(0, runsScript.waitFor());

            ProbeEvent python = execOf(h, rewrites.pid(), "python3");
            assertEquals(formatted(argv), python.extensions().cmdline(), "as the kernel laid it out, not as rewritten");
            assertTrue(python.extensions().cmdline().endsWith(" 'it'\\''s' ''"), python.extensions().cmdline());

            ProbeEvent sh = execOf(h, runsScript.pid(), "job with space."); // comm: the script's name, cut at 15 bytes
            assertEquals(script.toString(), sh.extensions().path(), "the path the caller executed: the script");
            assertEquals(formatted(List.of("/bin/sh", script.toString(), "arg")), sh.extensions().cmdline(),
                    "the interpreter's command line, naming the script");
        }
    }

    @Test
    void aCommandLineLongerThanTheProgramCopiesIsCutAndMarked() throws Exception {
        String big = "x".repeat(5000);
        try (ProbeHarness h = ProbeHarness.start(new EbpfProcessProbe())) {
            Process p = new ProcessBuilder("/bin/true", big).start();
            assertEquals(0, p.waitFor());
            String cmdline = execOf(h, p.pid(), "true").extensions().cmdline();
            assertTrue(cmdline.startsWith("/bin/true xxx") && cmdline.endsWith(CommandLine.CUT_MARK), cmdline);
            assertTrue(cmdline.getBytes(StandardCharsets.UTF_8).length <= Wire.MAX_CMDLINE_BYTES, cmdline);
        }
    }

    /** Overwrites its own argument area through /proc/self/mem once running, as a process that hides its arguments does. */
    private static final String REWRITE_ARGV = "a = open('/proc/self/cmdline', 'rb').read();"
            + " f = open('/proc/self/mem', 'r+b'); f.seek(int(open('/proc/self/stat').read().split()[47]));"
            + " f.write(b'X' * (len(a) - 1)); f.flush()";

    /** {@code argv} as protocol §4 writes a command line. */
    private static String formatted(List<String> argv) {
        byte[] area = (String.join("\0", argv) + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] text = new byte[Wire.MAX_CMDLINE_BYTES];
        return new String(text, 0, CommandLine.format(area, 0, area.length, false, text, 0), StandardCharsets.UTF_8);
    }

    private static ProbeEvent execOf(ProbeHarness h, long pid, String comm) throws InterruptedException {
        return h.await(e -> e.source() == ProbeSource.PROCESS_EXEC && e.guestPid() == pid && comm.equals(e.guestComm()),
                1, PATIENCE).getFirst();
    }

    @Test
    void anExecTellsTheKeyOfTheFileTheKernelRanAsStatSeesItAndNoneForAMemfd(@TempDir Path tmp) throws Exception {
        Path renamed = tmp.resolve("renamed");
        Files.copy(Path.of("/usr/bin/true"), renamed);
        renamed.toFile().setExecutable(true);
        // a stat before the exec: on a kernel with multigrain timestamps the inode's ctime then
        // carries its "queried" flag, which stat does not show
        Files.readAttributes(renamed, "unix:ctime");
        Map<Integer, Optional<FileKey>> told = new ConcurrentHashMap<>(); // each process's latest exec
        KnownProcesses known = new KnownProcesses() {
            @Override
            public boolean inScope(int pid) {
                return true;
            }

            @Override
            public void execed(int pid, String comm, long nanos, FileKey file) {
                told.put(pid, Optional.ofNullable(file));
            }
        };
        try (ProbeHarness h = ProbeHarness.start(new EbpfProcessProbe(), known)) {
            Process p = new ProcessBuilder(renamed.toString()).start();
            assertEquals(0, p.waitFor());
            Process memfd = new ProcessBuilder("/usr/bin/python3", "-c", """
                    import os
                    fd = os.memfd_create("payload", 0)
                    os.write(fd, open("/usr/bin/true", "rb").read())
                    os.execv("/proc/self/fd/" + str(fd), ["payload"])""").start();
            assertEquals(0, memfd.waitFor(), new String(memfd.getErrorStream().readAllBytes()));
            execOf(h, p.pid(), "renamed");
            execOf(h, memfd.pid(), "3"); // comm: the file's name, the descriptor's number

            Map<String, Object> st = Files.readAttributes(renamed, "unix:dev,ino,size,ctime");
            Instant ctime = ((FileTime) st.get("ctime")).toInstant();
            assertEquals(new FileKey((Long) st.get("dev"), (Long) st.get("ino"), (Long) st.get("size"),
                    ctime.getEpochSecond(), ctime.getNano()), told.get((int) p.pid()).orElseThrow(),
                    "the kernel's inode, keyed as stat(2) describes the file (this file system: "
                            + Files.getFileStore(renamed).type() + ")");
            assertEquals(Optional.empty(), told.get((int) memfd.pid()),
                    "a memfd has no name: no key, the hasher finds it through /proc/PID/exe");
        }
    }

    @Test
    void threadsAreNotDeclared() throws Exception {
        long self = ProcessHandle.current().pid();
        try (ProbeHarness h = ProbeHarness.start(new EbpfProcessProbe())) {
            for (int i = 0; i < 20; i++) {
                Thread.ofPlatform().start(() -> { }).join();
            }
            // a process started afterwards marks the point by which the threads' events were read
            Process child = new ProcessBuilder("/bin/true").start();
            child.waitFor();
            h.await(e -> e.source() == ProbeSource.PROCESS_EXITED && e.guestPid() == child.pid(), 1, PATIENCE);
            assertTrue(h.events().stream().noneMatch(e -> e.guestPid() == self), "no event for this JVM's threads: "
                    + h.events().stream().filter(e -> e.guestPid() == self).toList());
        }
    }

    @Test
    void aFullRingIsCountedInTheKernelSoThatDeclaredPlusLostIsEverythingSeen() throws Exception {
        int processes = 300;
        EbpfProcessProbe probe = new EbpfProcessProbe(4096, true);
        try (probe) {
            probe.arm();
            // the ring is not read while they run: a page holds about 85 fork or exit records and 7 execs
            Process run = new ProcessBuilder("/bin/sh", "-c", "i=0; while [ $i -lt " + processes + " ]; do /bin/true; i=$((i+1)); done")
                    .start();
            assertEquals(0, run.waitFor());
            RecordingOutput out = new RecordingOutput();
            probe.finish(out, System.nanoTime() + PATIENCE.toNanos());

            long seen = probe.seen();
            assertTrue(out.lost > 0, "the ring overflowed: " + out.events.size() + " declared of " + seen);
            assertEquals(seen, out.events.size() + out.lost, "declared + lost == seen, exactly");
            Set<Long> children = new HashSet<>();
            out.events.stream().filter(e -> e.source() == ProbeSource.PROCESS_SPAWNED
                    && e.extensions().parentPid() == run.pid()).forEach(e -> children.add(e.guestPid()));
            long ours = out.events.stream().filter(e -> children.contains(e.guestPid())).count();
            assertTrue(seen >= 3L * processes, "at least our " + 3 * processes + " events were seen: " + seen);
            assertTrue(ours <= 3L * processes, "no record read twice: " + ours);
        }
    }

    @Test
    void everyProgramItLoadedIsGoneAfterClose() throws Exception {
        LoadedPrograms.assertCloseUnloadsWhatArmLoaded(new EbpfProcessProbe(), 3, 0, PATIENCE);
    }
}
