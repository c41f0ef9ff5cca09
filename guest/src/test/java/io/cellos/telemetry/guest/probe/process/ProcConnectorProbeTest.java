package io.cellos.telemetry.guest.probe.process;

import io.cellos.telemetry.guest.linux.NetlinkSocket;
import io.cellos.telemetry.guest.probe.GatedProbe;
import io.cellos.telemetry.guest.probe.NetlinkPorts;
import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The process connector probe against real processes (root, initial PID namespace). */
class ProcConnectorProbeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int PROCESSES = 500;

    @Test
    void everyOneOfFiveHundredProcessesLivingUnderAMillisecondIsDeclared() throws Exception {
        TreeScope scope = TreeScope.ofThisJvm();
        try (ProbeHarness h = ProbeHarness.start(new ProcConnectorProbe(), scope)) {
            long before = System.nanoTime();
            ShortLivedProcesses run = ShortLivedProcesses.execTrue(PROCESSES);
            long after = System.nanoTime();
            Set<Integer> pids = new HashSet<>(run.pids());
            assertEquals(PROCESSES, pids.size());

            List<ProbeEvent> spawned = h.await(e -> is(e, ProbeSource.PROCESS_SPAWNED, pids), PROCESSES, PATIENCE);
            // each process execs twice: the loop's fork becomes /bin/sh, which becomes /bin/true
            List<ProbeEvent> execs = h.await(e -> is(e, ProbeSource.PROCESS_EXEC, pids), 2 * PROCESSES, PATIENCE);
            List<ProbeEvent> exited = h.await(e -> is(e, ProbeSource.PROCESS_EXITED, pids), PROCESSES, PATIENCE);

            assertEquals(pids, pidsOf(spawned), "one process.spawned per process");
            for (ProbeEvent e : spawned) {
                assertEquals(run.driver(), e.extensions().parentPid(), "parent_pid of " + e);
                assertEquals("sh", e.guestComm(), "a child is born with its parent's name: " + e);
            }
            // the new comm and path are read from /proc when the event is handled: a process that
            // is already gone by then is declared with an empty comm; a wrong name is never declared
            Map<Long, ProbeEvent> lastExec = new HashMap<>();
            execs.forEach(e -> lastExec.put(e.guestPid(), e));
            assertEquals(pids, pidsOf(lastExec.values()));
            for (ProbeEvent e : lastExec.values()) {
                assertTrue(List.of("true", "").contains(e.guestComm()), "the new comm, or none: " + e);
                assertTrue(e.extensions().path() == null || e.extensions().path().endsWith("/true"), "path: " + e);
            }
            long named = lastExec.values().stream().filter(e -> e.guestComm().equals("true")).count();
            System.out.printf("process.exec: %d of %d processes still there to be named when their exec was handled%n",
                    named, PROCESSES);
            assertEquals(pids, pidsOf(exited), "one process.exited per process");
            for (ProbeEvent e : exited) {
                assertEquals(0L, e.extensions().exitCode(), "exit_code of " + e);
                assertEquals(lastExec.get(e.guestPid()).guestComm(), e.guestComm(), "the last comm known: " + e);
            }
            for (ProbeEvent e : Stream.of(spawned, execs, exited).flatMap(List::stream).toList()) {
                assertTrue(e.guestMonotonicNs() >= before && e.guestMonotonicNs() <= after,
                        "the kernel's stamp is on System.nanoTime()'s clock (CLOCK_MONOTONIC): " + e);
            }
        }
    }

    @Test
    void exitCodeIsTheRawWaitStatus() throws Exception {
        TreeScope scope = TreeScope.ofThisJvm();
        try (ProbeHarness h = ProbeHarness.start(new ProcConnectorProbe(), scope)) {
            ShortLivedProcesses run = ShortLivedProcesses.exitWithDistinctStatus(PROCESSES);
            Set<Integer> pids = new HashSet<>(run.pids());

            List<ProbeEvent> exited = h.await(e -> is(e, ProbeSource.PROCESS_EXITED, pids), PROCESSES, PATIENCE);

            Map<Long, Long> status = new HashMap<>();
            exited.forEach(e -> status.put(e.guestPid(), e.extensions().exitCode()));
            for (int i = 0; i < PROCESSES; i++) {
                long expected = (long) ShortLivedProcesses.exitStatus(i) << 8;
                assertEquals(expected, status.get((long) run.pids().get(i)), "exit_code of process " + i);
            }
            // the name is the one /proc showed after the exec of /bin/sh, if the process was still there
            exited.forEach(e -> assertTrue(List.of("sh", "").contains(e.guestComm()), "comm of " + e));
        }
    }

    /**
     * A child is born with the name of the thread that forked it; when that thread has ended (and
     * the child too) before the probe reads the fork, as init's spawning thread does, the name it
     * gave itself is still the child's.
     */
    @Test
    void aChildIsNamedByTheThreadThatForkedItEvenWhenBothEndedBeforeTheForkWasRead() throws Exception {
        try (ProbeHarness h = ProbeHarness.start(new ProcConnectorProbe())) {
            long child;
            h.pause();
            try {
                AtomicReference<Process> started = new AtomicReference<>();
                int[] tid = new int[1];
                Thread forker = Thread.ofPlatform().name("forker-thread").start(() -> {
                    tid[0] = ProcView.threadId();
                    try {
                        started.set(new ProcessBuilder("/bin/true").start());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                forker.join();
                Process p = started.get();
                assertEquals(0, p.waitFor());
                child = p.pid();
                assertFalse(Files.exists(Path.of("/proc/self/task/" + tid[0])), "thread " + tid[0] + " is gone");
            } finally {
                h.resume();
            }
            ProbeEvent spawned = h.await(e -> e.source() == ProbeSource.PROCESS_SPAWNED && e.guestPid() == child, 1,
                    PATIENCE).getFirst();
            assertEquals("forker-thread", spawned.guestComm(), spawned.toString());
        }
    }

    @Test
    void threadsAreNotDeclared() throws Exception {
        try (ProbeHarness h = ProbeHarness.start(new ProcConnectorProbe())) {
            int[] tid = new int[1];
            Thread t = Thread.ofPlatform().start(() -> tid[0] = ProcView.threadId());
            t.join();
            Process marker = new ProcessBuilder("/bin/true").start();
            marker.waitFor();
            // the marker forked after the thread began and ended, so its events come after the thread's
            h.await(e -> e.source() == ProbeSource.PROCESS_EXITED && e.guestPid() == marker.pid(), 1, PATIENCE);

            assertTrue(tid[0] > 0);
            assertFalse(h.events().stream().anyMatch(e -> e.guestPid() == tid[0]),
                    "no event names thread " + tid[0] + ": " + h.events());
        }
    }

    @Test
    void anOverrunIsCountedAndTheProbeResyncs() throws Exception {
        TreeScope scope = TreeScope.ofThisJvm();
        // room for a few dozen events: enough for a running loop, far too little for a stalled one
        GatedProbe gated = new GatedProbe(new ProcConnectorProbe(16 * 1024, true));
        Process sleeper = null;
        try (ProbeHarness h = ProbeHarness.start(gated, scope)) {
            // a CPU's losses show as a gap once the probe has seen a message from it: let it see some
            Set<Integer> first = new HashSet<>(ShortLivedProcesses.execTrue(20).pids());
            h.await(e -> is(e, ProbeSource.PROCESS_EXITED, first), 1, PATIENCE); // the tiny buffer may drop some
            gated.shut();
            ShortLivedProcesses storm = ShortLivedProcesses.execTrue(2000);
            // started while the loop is stalled and the queue is full: its fork is likely lost
            sleeper = new ProcessBuilder("sleep", "120").start();
            ProcView.assertComm(sleeper.pid(), "sleep");
            gated.open();

            long sleeperPid = sleeper.pid();
            h.await(e -> e.source() == ProbeSource.PROCESS_SPAWNED && e.guestPid() == sleeperPid, 1, PATIENCE);
            assertTrue(h.lost() > 0, "the overrun is counted");

            Set<Integer> later = new HashSet<>(ShortLivedProcesses.execTrue(1).pids());
            h.await(e -> is(e, ProbeSource.PROCESS_SPAWNED, later), 1, PATIENCE);
            h.await(e -> is(e, ProbeSource.PROCESS_EXITED, later), 1, PATIENCE);
            // the exact count shows once each CPU has sent a message after the overrun
            System.out.printf("overrun: %d messages counted lost while %d processes (4 messages or more each) ran%n",
                    h.lost(), storm.pids().size());

            sleeper.destroy();
            sleeper.waitFor();
            ProbeEvent gone = h.await(e -> e.source() == ProbeSource.PROCESS_EXITED && e.guestPid() == sleeperPid,
                    1, PATIENCE).getFirst();
            assertEquals("sleep", gone.guestComm(), "after the resync the probe knows the name: " + gone);
            assertEquals(1, h.events().stream().filter(e -> e.guestPid() == sleeperPid
                    && e.source() == ProbeSource.PROCESS_SPAWNED).count(), "declared spawned once, by its fork or the resync");
            assertEquals(15L, gone.extensions().exitCode(), "killed by SIGTERM");
        } finally {
            gated.open();
            if (sleeper != null) {
                sleeper.destroyForcibly();
            }
        }
    }

    /**
     * Another process (root) forges a well-formed connector message, a fork of a pid that does not
     * exist. Sent to the probe's socket alone, the kernel refuses it ({@code ECONNREFUSED}: the socket
     * is connected to the kernel); multicast to the connector's group, as the kernel sends its own, it
     * reaches the socket, which takes only the kernel's word: nothing is declared of it, and the
     * forgery is.
     */
    @Test
    void aMessageFromAnotherProcessIsRefusedOrNoEventAndDeclared() throws Exception {
        ProcConnectorProbe probe = new ProcConnectorProbe();
        try (ProbeHarness h = ProbeHarness.start(probe)) {
            String port = NetlinkPorts.ofThisProcess(NetlinkSocket.NETLINK_CONNECTOR, fd -> fd == probe.fd()).getFirst();
            // cn_msg (idx 1, val 1, seq, ack, len 40, flags) + proc_event FORK: parent 1/1, child 4242424/4242424
            String forge = """
                    import errno, socket, struct
                    ev = struct.pack("<IIQ", 1, 0, 0) + struct.pack("<iiii", 1, 1, 4242424, 4242424) + bytes(16)
                    msg = struct.pack("<IIIIHH", 1, 1, 0, 0, len(ev), 0) + ev
                    nl = struct.pack("<IHHII", 16 + len(msg), 3, 0, 0, 0) + msg
                    s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 11)
                    s.bind((0, 0))
                    try:
                        s.sendto(nl, (%s, 0))
                        print("unicast taken")
                    except ConnectionRefusedError:
                        print("unicast refused")
                    s.sendto(nl, (0, 1))  # to the group of CN_IDX_PROC
                    """.formatted(port);
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", forge).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes()).strip();
            assertEquals(0, p.waitFor(), said);
            assertEquals("unicast refused", said);

            ProbeEvent declared = h.await(e -> e.source() == ProbeSource.AGENT_TAMPERED, 1, PATIENCE).getFirst();
            assertTrue(declared.extensions().what().startsWith("1 datagram(s) on the process connector socket came from "
                    + "netlink port "), declared.toString());
            assertTrue(h.events().stream().noneMatch(e -> e.guestPid() == 4242424), "the forged fork is no event");
        }
    }

    @Test
    void aProcessStillRunningIsDeclaredWithItsParentNewNameAndExecutable() throws Exception {
        TreeScope scope = TreeScope.ofThisJvm();
        Process p = null;
        try (ProbeHarness h = ProbeHarness.start(new ProcConnectorProbe(), scope)) {
            p = new ProcessBuilder("/bin/sh", "-c", "exec sleep 120").start();
            long pid = p.pid();
            ProbeEvent spawned = h.await(e -> e.source() == ProbeSource.PROCESS_SPAWNED && e.guestPid() == pid,
                    1, PATIENCE).getFirst();
            assertEquals(ProcessHandle.current().pid(), spawned.extensions().parentPid());
            ProbeEvent exec = h.await(e -> e.source() == ProbeSource.PROCESS_EXEC && e.guestPid() == pid
                    && e.guestComm().equals("sleep"), 1, PATIENCE).getFirst();
            assertEquals(Path.of("/usr/bin/sleep").toRealPath().toString(), exec.extensions().path());

            p.destroyForcibly().waitFor();
            ProbeEvent exited = h.await(e -> e.source() == ProbeSource.PROCESS_EXITED && e.guestPid() == pid,
                    1, PATIENCE).getFirst();
            assertEquals("sleep", exited.guestComm());
            assertEquals(9L, exited.extensions().exitCode(), "killed by SIGKILL");
            assertNull(exited.extensions().parentPid());
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    private static boolean is(ProbeEvent e, ProbeSource source, Set<Integer> pids) {
        return e.source() == source && pids.contains((int) e.guestPid());
    }

    private static Set<Integer> pidsOf(Collection<ProbeEvent> events) {
        Set<Integer> s = new HashSet<>();
        events.forEach(e -> s.add((int) e.guestPid()));
        return s;
    }
}
