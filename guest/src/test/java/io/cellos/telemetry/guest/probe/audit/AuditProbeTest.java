package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.NetlinkSocket;
import io.cellos.telemetry.guest.linux.SyscallTable;
import io.cellos.telemetry.guest.probe.GatedProbe;
import io.cellos.telemetry.guest.probe.NetlinkPorts;
import io.cellos.telemetry.guest.probe.OtherJvm;
import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit probe against the real kernel: real processes connect to loopback listeners and are
 * refused privileged calls, and the probe must declare each with the right pid. The connects the
 * eBPF probe declares too are tested on both in {@code ConnectProbesTest}. Runs as root (the
 * project's tests do); traffic goes to 127.0.0.1 and ::1 only.
 */
class AuditProbeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String PYTHON = "/usr/bin/python3";
    /** Ways a root process blinds the probe (see the script). */
    private static final String BLIND = "src/test/resources/audit_blind.py";

    /**
     * Installs a seccomp filter, logged ({@code SECCOMP_FILTER_FLAG_LOG}) as the gate's must be,
     * that refuses x86-64 {@code kill(2)} with {@code EPERM}, then tries to signal its parent (with
     * signal 0, which would deliver nothing even if the filter were missing). Exits 0 if refused.
     */
    private static final String GATED_KILL = """
            import ctypes, os, struct, sys
            libc = ctypes.CDLL(None, use_errno=True)
            LD_ABS_W, JEQ_K, RET_K = 0x20, 0x15, 0x06
            ALLOW, ERRNO_EPERM = 0x7fff0000, 0x00050001
            prog = [(LD_ABS_W, 0, 0, 4), (JEQ_K, 0, 3, 0xC000003E),
                    (LD_ABS_W, 0, 0, 0), (JEQ_K, 0, 1, 62),
                    (RET_K, 0, 0, ERRNO_EPERM), (RET_K, 0, 0, ALLOW)]
            code = ctypes.create_string_buffer(b"".join(struct.pack("=HBBI", *i) for i in prog))
            class Fprog(ctypes.Structure):
                _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
            fprog = Fprog(len(prog), ctypes.addressof(code))
            if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
                sys.exit("prctl: errno %d" % ctypes.get_errno())
            if libc.syscall(317, 1, 2, ctypes.byref(fprog)) != 0:  # seccomp(SET_MODE_FILTER, FLAG_LOG)
                sys.exit("seccomp: errno %d" % ctypes.get_errno())
            try:
                os.kill(os.getppid(), 0)
            except PermissionError:
                sys.exit(0)
            sys.exit("kill was not refused")
            """;

    @BeforeAll
    static void asRoot() throws IOException {
        assertEquals(0, Files.getAttribute(Path.of("/proc/self"), "unix:uid"), "the audit tests run as root");
    }

    @Test
    void aCommTheKernelHexEncodesIsDeclaredDecoded() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
            int port = receiver.getLocalPort();
            // a space makes the kernel write the name as hex
            Process p = run(PYTHON, "-c", "import ctypes, socket\n"
                    + "ctypes.CDLL(None).prctl(15, b'cell os', 0, 0, 0)\n" // PR_SET_NAME
                    + "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(('127.0.0.1', " + port + "))\n");
            ProbeEvent e = awaitOne(h, connectTo("127.0.0.1:" + port));
            assertEquals(p.pid(), e.guestPid());
            assertEquals("cell os", e.guestComm());
        }
    }

    @Test
    void inOrdinaryOperationNothingIsCountedAsLost() throws Exception {
        int connects = 200;
        try (ServerSocket listener = new ServerSocket(0, connects, InetAddress.getByName("127.0.0.1"));
             ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
            int port = listener.getLocalPort();
            Process p = run("bash", "-c", "for i in $(seq " + connects + "); do exec 3<>/dev/tcp/127.0.0.1/" + port
                    + "; exec 3>&-; done");
            h.await(connectTo("127.0.0.1:" + port).and(e -> e.guestPid() == p.pid()), connects, PATIENCE);
            // let the probe settle its accounts: three polls, each a quarter of a second after the last
            Thread.sleep(4 * AuditLossCount.POLL_NANOS / 1_000_000);
            assertEquals(0, h.lost());
        }
    }

    @Test
    void anUnprivilegedProcessRefusedSethostnameIsDeclaredWithItsPidAndTheSyscall() throws Exception {
        // the name it asks for is the current one, so nothing would change even if it were allowed
        String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
            // setpriv drops to nobody and then becomes hostname: one process, one pid
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "hostname", name).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertNotEquals(0, p.waitFor(), "sethostname as nobody must be refused");
            ProbeEvent e = awaitOne(h, ev -> ev.source() == ProbeSource.CAPABILITY_DENIED && ev.guestPid() == p.pid());
            assertEquals(AuditRuleSet.SETHOSTNAME, e.extensions().syscall());
            assertEquals("hostname", e.guestComm());
        }
    }

    @Test
    void aCallRefusedByALoggedSeccompFilterIsDeclaredWithItsPidAndTheSyscall() throws Exception {
        try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
            Process p = run(PYTHON, "-c", GATED_KILL);
            ProbeEvent e = awaitOne(h, ev -> ev.source() == ProbeSource.CAPABILITY_DENIED && ev.guestPid() == p.pid());
            assertEquals(AuditRuleSet.KILL, e.extensions().syscall());
        }
    }

    @Test
    void onlyProcessesInScopeOrWhoseParentIsAreDeclared() throws Exception {
        Set<Integer> scope = ConcurrentHashMap.newKeySet();
        try (ServerSocket outside = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             ServerSocket inside = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             ProbeHarness h = ProbeHarness.start(new AuditProbe(), scope::contains)) {
            run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + outside.getLocalPort());
            // a shell in scope whose child (a subshell, which the scope has not heard of) connects
            Process shell = new ProcessBuilder("bash", "-c",
                    "read go; (echo $BASHPID; exec 3<>/dev/tcp/127.0.0.1/" + inside.getLocalPort() + "); true").start();
            scope.add((int) shell.pid());
            try (OutputStream in = shell.getOutputStream()) {
                in.write('\n');
            }
            int child = Integer.parseInt(new BufferedReader(new InputStreamReader(shell.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine());
            assertEquals(0, shell.waitFor());
            ProbeEvent e = awaitOne(h, connectTo("127.0.0.1:" + inside.getLocalPort()));
            assertEquals(child, e.guestPid());
            // records come in order: the outside connect, made first, has been handled by now
            assertTrue(h.events().stream().noneMatch(connectTo("127.0.0.1:" + outside.getLocalPort())),
                    () -> "declared a process out of scope: " + h.events());
        }
    }

    @Test
    void theRulesAndTheDaemonRegistrationAreGivenBackAtClose() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024)) {
            AuditStatus before = audit.status();
            assertEquals(0, before.pid(), "another audit daemon (pid " + before.pid() + ") is registered: this test needs to be the daemon");
            AuditProbe probe = new AuditProbe();
            try (ProbeHarness h = ProbeHarness.start(probe)) {
                assertTrue(probe.isAuditDaemon(), probe.description());
                AuditStatus during = audit.status();
                assertEquals(Libc.getpid(), during.pid());
                assertEquals(AuditStatus.ON, during.enabled());
                assertEquals(AuditProbe.BACKLOG_LIMIT, during.backlogLimit());
                assertEquals(0, during.backlogWaitTime());
                List<AuditRule> ours = rulesWithKey(audit, probe.ruleKey());
                assertEquals(new AuditRuleSet(Libc.getpid(), before, false).rules(), ours, "the kernel lists the rules as added");
            }
            assertEquals(List.of(), rulesWithKey(audit, probe.ruleKey()));
            AuditStatus after = audit.status();
            assertEquals(before.pid(), after.pid());
            assertEquals(before.enabled(), after.enabled());
            assertEquals(before.backlogLimit(), after.backlogLimit());
            assertEquals(before.backlogWaitTime(), after.backlogWaitTime());
        }
    }

    @Test
    void aSecondProbeBesideARegisteredDaemonReadsTheMulticastLog() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AuditStatus before = audit.status();
            assertEquals(0, before.pid(), "another audit daemon (pid " + before.pid() + ") is registered: this test needs to be the daemon");
            AuditProbe first = new AuditProbe();
            AuditProbe second = new AuditProbe();
            try (ProbeHarness daemon = ProbeHarness.start(first);
                 ProbeHarness beside = ProbeHarness.start(second)) {
                assertTrue(first.isAuditDaemon(), first.description());
                assertFalse(second.isAuditDaemon(), second.description());
                int port = listener.getLocalPort();
                Process p = run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
                assertEquals(p.pid(), awaitOne(daemon, connectTo("127.0.0.1:" + port)).guestPid());
                assertEquals(p.pid(), awaitOne(beside, connectTo("127.0.0.1:" + port)).guestPid());
            }
            assertEquals(List.of(), rulesWithKey(audit, first.ruleKey()));
            assertEquals(before.pid(), audit.status().pid());
            assertEquals(before.enabled(), audit.status().enabled());
        }
    }

    @Test
    void aStoppingProbeReadsUpToItsBarrierSoThatWhatTheKernelQueuedIsNotLost() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AuditProbe probe = new AuditProbe();
            ProbeHarness h = ProbeHarness.start(probe);
            int port = listener.getLocalPort();
            Process p = run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
            long start = System.nanoTime();
            h.close(); // stop at once: the connect's records may still be in the kernel's queue
            long millis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(probe.barrierSeen(), "the barrier came back (finish took " + millis + " ms)");
            assertTrue(millis < 5000, "finish ended on its barrier, not its deadline: " + millis + " ms");
            assertTrue(h.events().stream().anyMatch(connectTo("127.0.0.1:" + port).and(e -> e.guestPid() == p.pid())),
                    "the connect made just before the stop was handed over: " + h.events());
        }
    }

    @Test
    void auditSwitchedOffUnderAnArmedProbeIsSwitchedBackOnAndCounted() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
            assertEquals(AuditStatus.ON, audit.status().enabled());
            // what an agent closing beside this one does when it finds no rule but its own
            audit.setStatus(AuditStatus.MASK_ENABLED, audit.status().withEnabled(AuditStatus.OFF));
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (audit.status().enabled() != AuditStatus.ON || h.lost() < 1) {
                assertTrue(System.nanoTime() < deadline, "audit back on and a loss counted within " + PATIENCE
                        + " (enabled " + audit.status().enabled() + ", lost " + h.lost() + ")");
                Thread.sleep(20); // audit's status and the probe's loss count change unannounced: polled
            }
            int port = listener.getLocalPort();
            Process p = run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
            assertEquals(p.pid(), awaitOne(h, connectTo("127.0.0.1:" + port)).guestPid(), "and it records again");
        }
    }

    /**
     * Another root process deletes the probe's rules and switches audit off: the probe puts both
     * back in the wake that read the change, declares each change with the process that made it,
     * and a connect made after it is still declared.
     */
    @Test
    void aProcessThatRemovesTheRulesOrSwitchesAuditOffIsDeclaredAndUndone() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AuditProbe probe = new AuditProbe();
            try (ProbeHarness h = ProbeHarness.start(probe)) {
                int rules = rulesWithKey(audit, probe.ruleKey()).size();
                Process tamperer = tamperer(probe.ruleKey(), 1);
                String said = new String(tamperer.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
                assertEquals(0, tamperer.waitFor(), said);
                assertEquals(Integer.toString(rules), said.split(" ")[0], "the tamperer deleted every rule");
                long blindedAt = Long.parseLong(said.split(" ")[1]);

                List<ProbeEvent> declared = h.await(e -> e.source() == ProbeSource.AGENT_TAMPERED
                        && e.guestPid() == tamperer.pid(), rules + 1, PATIENCE);
                assertTrue(declared.stream().anyMatch(e -> e.extensions().what().startsWith("audit rule removed (key "
                        + probe.ruleKey() + ")")), declared.toString());
                assertTrue(declared.stream().anyMatch(e -> e.extensions().what().startsWith(
                        "audit setting audit_enabled set to 0")), declared.toString());
                assertTrue(declared.stream().allMatch(e -> e.guestComm().equals("java")), "the tamperer named: " + declared);
                assertEquals(rules, rulesWithKey(audit, probe.ruleKey()).size(), "every rule put back");
                // the declaration is stamped once what was taken is back: both readings are CLOCK_MONOTONIC
                long undoneAfter = declared.stream().mapToLong(ProbeEvent::guestMonotonicNs).max().orElseThrow() - blindedAt;
                assertTrue(undoneAfter < 1_000_000_000L, "undone and declared " + undoneAfter / 1_000_000 + " ms after "
                        + "audit was switched off: the issue's bound is 1 s");
                assertEquals(AuditStatus.ON, audit.status().enabled(), "audit on again");

                int port = listener.getLocalPort();
                Process p = run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
                assertEquals(p.pid(), awaitOne(h, connectTo("127.0.0.1:" + port)).guestPid(), "and it sees again");
            }
        }
    }

    /**
     * As the audit daemon the probe's own calls are not audited while any rule is loaded (the
     * kernel exempts the daemon's process), so the records of its own put-backs come without the
     * {@code SYSCALL} record that names their sender. Rounds of tampering, each put back, make more
     * of them than the changes that may wait for their sender: every one is still known for the
     * probe's own, and nothing but the tamperer's changes is declared.
     */
    @Test
    void theProbesOwnPutBacksAreNeverTakenForTampering() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AuditProbe probe = new AuditProbe();
            try (ProbeHarness h = ProbeHarness.start(probe)) {
                assertTrue(probe.isAuditDaemon(), "this test needs the probe to be the audit daemon");
                int rules = rulesWithKey(audit, probe.ruleKey()).size();
                int rounds = AuditConfigChanges.PENDING / rules + 2;
                Process tamperer = tamperer(probe.ruleKey(), rounds);
                String said = new String(tamperer.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
                assertEquals(0, tamperer.waitFor(), said);
                assertEquals(rounds, said.lines().count(), said);
                h.await(e -> e.source() == ProbeSource.AGENT_TAMPERED && e.guestPid() == tamperer.pid(),
                        rounds * (rules + 1), PATIENCE);
                // a connect declared after the last put-back: the probe has read every record before it
                int port = listener.getLocalPort();
                Process p = run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
                awaitOne(h, connectTo("127.0.0.1:" + port).and(e -> e.guestPid() == p.pid()));
                List<ProbeEvent> others = h.events().stream()
                        .filter(e -> e.source() == ProbeSource.AGENT_TAMPERED && e.guestPid() != tamperer.pid()).toList();
                assertEquals(0, others.size(), () -> others.size() + " declared as tampering, but not the tamperer's, as "
                        + others.stream().limit(3).map(e -> e.extensions().what()).toList());
                assertEquals(rules, rulesWithKey(audit, probe.ruleKey()).size(), "every rule put back");
            }
        }
    }

    /**
     * This JVM is the probe's process, the audit daemon: the kernel names no sender of its changes,
     * as of any process audit never saw. Such a change to the rules under the probe's key — a rule
     * of the attacker's added there, one of the probe's deleted — cannot be told from the probe's own
     * put-back by its sender: the probe checks the kernel's rules, makes them exactly its own again
     * (under its key, and under any key made to look like it), and declares what it mended once —
     * its own deletions, which come back unnamed too, are not declared.
     */
    @Test
    void rulesUnderTheProbesKeyChangedByAnUnnamedProcessAreMadeItsOwnAgain() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AuditProbe probe = new AuditProbe();
            try (ProbeHarness h = ProbeHarness.start(probe)) {
                assertTrue(probe.isAuditDaemon(), "this test needs the probe to be the audit daemon");
                List<AuditRule> own = rulesWithKey(audit, probe.ruleKey());
                AuditRule foreign = AuditRule.syscallExit(SyscallTable.number("bind"))
                        .where(AuditRule.FIELD_ARCH, AuditRule.OP_EQUAL, AuditRule.ARCH_X86_64).withKey(probe.ruleKey());
                // and one under a key made to look like the probe's: its pid, other settings
                String lookalike = "cellos-telemetry:" + ProcessHandle.current().pid() + ":0:0:0";
                AuditRule disguised = AuditRule.syscallExit(SyscallTable.number("bind"))
                        .where(AuditRule.FIELD_ARCH, AuditRule.OP_EQUAL, AuditRule.ARCH_X86_64).withKey(lookalike);
                assertTrue(audit.addRule(foreign));
                assertTrue(audit.addRule(disguised));
                assertTrue(audit.deleteRule(own.getFirst()));
                ProbeEvent declared = awaitOne(h, e -> e.source() == ProbeSource.AGENT_TAMPERED);
                assertEquals("audit rules under this agent's key changed by an unnamed process; put back (2 rules not the"
                        + " agent's deleted from under its key, 1 rules)", declared.extensions().what());
                assertEquals(Set.copyOf(own), Set.copyOf(rulesWithKey(audit, probe.ruleKey())), "exactly the probe's rules");
                assertEquals(List.of(), rulesWithKey(audit, lookalike), "nothing under the look-alike key");

                int port = listener.getLocalPort();
                Process p = run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
                awaitOne(h, connectTo("127.0.0.1:" + port).and(e -> e.guestPid() == p.pid()));
                List<String> all = h.events().stream().filter(e -> e.source() == ProbeSource.AGENT_TAMPERED)
                        .map(e -> e.extensions().what()).toList();
                assertEquals(1, all.size(), "one declaration of what the unnamed changes did, not of the probe's"
                        + " own deletions: " + all);
            }
        }
    }

    /**
     * A root process that poses as an agent arming beside the probe — a rule under an agent's key
     * naming its own pid — is an agent only if its rules are an agent's: this one's is not, so it is
     * deleted, and what the process did as the "agent" (switching audit off) is declared and undone.
     */
    @Test
    void aProcessPosingAsAnAgentIsDeclaredAndItsRuleDeleted() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024)) {
            AuditProbe probe = new AuditProbe();
            try (ProbeHarness h = ProbeHarness.start(probe)) {
                Process poser = tamperer(probe.ruleKey(), "pose-as-agent");
                String key = new String(poser.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
                assertEquals(0, poser.waitFor(), key);
                List<ProbeEvent> declared = h.await(e -> e.source() == ProbeSource.AGENT_TAMPERED
                        && e.guestPid() == poser.pid(), 2, PATIENCE);
                assertTrue(declared.stream().anyMatch(e -> e.extensions().what().startsWith("audit rule added (key " + key
                        + ")")), declared.toString());
                assertTrue(declared.stream().anyMatch(e -> e.extensions().what().startsWith(
                        "audit setting audit_enabled set to 0")), declared.toString());
                assertTrue(declared.getFirst().extensions().what().contains(
                        "1 rules that are no agent's deleted from under another agent's key"), declared.toString());
                assertEquals(List.of(), rulesWithKey(audit, key), "its rule deleted");
                assertEquals(AuditStatus.ON, audit.status().enabled(), "audit on again");
            }
        }
    }

    /**
     * Another agent arming beside this one, the daemon — it asks to be the daemon first, is refused,
     * and reads the multicast log — then closing: no tampering, though its request comes in a wake
     * before its rules do.
     */
    @Test
    void anAgentArmingAndClosingBesideTheDaemonIsNoTampering() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AuditProbe probe = new AuditProbe();
            try (ProbeHarness h = ProbeHarness.start(probe)) {
                assertTrue(probe.isAuditDaemon(), "this test needs the probe to be the audit daemon");
                Process other = new ProcessBuilder(OtherJvm.command(AuditProbeProcess.class))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                BufferedReader says = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("armed multicast", says.readLine());
                try (OutputStream toOther = other.getOutputStream()) {
                    toOther.write("close\n".getBytes(StandardCharsets.US_ASCII));
                }
                assertEquals("closed lost=0", says.readLine());
                assertEquals(0, other.waitFor());

                assertEquals(List.of(), tamperingDeclared(h, listener));
            }
        }
    }

    /**
     * The simplest blinding: a rule, keyless and put first, that makes no record of any connect
     * ({@code auditctl -A exit,never -F arch=b64 -S connect}). Declared with its maker, deleted, and
     * connects are seen again; a rule audit had before the probe armed would be left alone.
     */
    @Test
    void aNeverRuleAddedToBlindTheProbeIsDeclaredAndDeleted() throws Exception {
        String never = """
                import socket, struct
                s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
                mask = [0] * 64; mask[42 // 32] |= 1 << (42 % 32)
                fields = [11] + [0] * 63; values = [0xC000003E] + [0] * 63; ops = [0x40000000] + [0] * 63
                rule = struct.pack("=III", 0x04 | 0x10, 0, 1) + struct.pack("=64I", *mask) + struct.pack("=64I", *fields) \
                    + struct.pack("=64I", *values) + struct.pack("=64I", *ops) + struct.pack("=I", 0)
                s.send(struct.pack("=IHHII", 16 + len(rule), 1011, 1 | 4, 1, 0) + rule)
                ack = s.recv(8192)
                assert struct.unpack_from("=i", ack, 16)[0] == 0, ack
                """;
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            List<AuditRule> before = audit.rules();
            try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
                Attack p = attack(never);
                ProbeEvent declared = awaitOne(h, e -> e.source() == ProbeSource.AGENT_TAMPERED && e.guestPid() == p.pid());
                assertTrue(declared.extensions().what().startsWith("audit rule added by pid " + p.pid() + " (python3); put"
                        + " back (1 rules that keep records from being made deleted"), declared.extensions().what());
                assertTrue(audit.rules().stream().noneMatch(AuditRule::suppresses), "the never rule deleted");
                assertEquals(List.of(declared.extensions().what()), tamperingDeclared(h, listener),
                        "connects seen again, and the probe's own deletion of the rule is no tampering");
            } finally {
                deleteSuppressingRulesNotIn(audit, before);
            }
            assertEquals(before.size(), audit.rules().size(), "nothing left behind");
        }
    }

    /**
     * A root process that first keeps the kernel from making its own records of what it does — an
     * exclude rule, put first, that drops every {@code CONFIG_CHANGE} record, itself the first
     * dropped — then deletes the probe's rules and switches audit off: no record tells of it. The
     * probe's periodic check finds audit changed, puts it back (the exclude rule deleted) and
     * declares it, within its period; connects are seen again.
     */
    @Test
    void tamperingThatKeepsItsOwnRecordsFromBeingMadeIsFoundByThePeriodicCheck() throws Exception {
        String unrecorded = """
                import socket, struct, sys
                key = sys.argv[1].encode()
                s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
                def request(kind, payload):
                    s.send(struct.pack("=IHHII", 16 + len(payload), kind, 1 | 4, 0, 0) + payload)
                    assert struct.unpack_from("=i", s.recv(65536), 16)[0] == 0, kind
                def words(first):
                    return struct.pack("=64I", *([first] + [0] * 63))
                # AUDIT_ADD_RULE on the exclude list, prepended, never: AUDIT_MSGTYPE (12) == AUDIT_CONFIG_CHANGE
                request(1011, struct.pack("=III", 0x05 | 0x10, 0, 1) + struct.pack("=64I", *[0] * 64) + words(12)
                         + words(1305) + words(0x40000000) + struct.pack("=I", 0))
                s.send(struct.pack("=IHHII", 16, 1013, 1 | 0x300, 0, 0))  # AUDIT_LIST_RULES
                listed, done = [], False
                while not done:
                    data, off = s.recv(1 << 20), 0
                    while off < len(data):
                        length, kind = struct.unpack_from("=IH", data, off)
                        done = done or kind in (2, 3)
                        if kind == 1013:
                            listed.append(data[off + 16:off + length])
                        off += (length + 3) & ~3
                mine = [r for r in listed if r[1040:1040 + struct.unpack_from("=I", r, 1036)[0]] == key]
                for r in mine:
                    request(1012, r)  # AUDIT_DEL_RULE
                request(1001, struct.pack("=11I", 1, *[0] * 10))  # AUDIT_SET: enabled 0
                print(len(mine))
                """;
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            List<AuditRule> before = audit.rules();
            AuditProbe probe = new AuditProbe();
            try (ProbeHarness h = ProbeHarness.start(probe)) {
                List<AuditRule> own = rulesWithKey(audit, probe.ruleKey());
                // past the loss count's polls after arming, one of which would find audit off and switch it on
                Thread.sleep(4 * AuditLossCount.POLL_NANOS / 1_000_000);
                assertEquals(Integer.toString(own.size()), attack(unrecorded, probe.ruleKey()).said(),
                        "every rule of the probe's deleted");

                ProbeEvent declared = awaitOne(h, e -> e.source() == ProbeSource.AGENT_TAMPERED);
                assertEquals("audit changed with no record of the change read (found by the agent's check of audit every "
                        + AuditProbe.CHECK_SECONDS + " s); put back (1 rules that keep records from being made deleted, "
                        + own.size() + " rules, audit on)", declared.extensions().what());
                assertEquals(Set.copyOf(own), Set.copyOf(rulesWithKey(audit, probe.ruleKey())), "the probe's rules back");
                assertTrue(audit.rules().stream().noneMatch(AuditRule::suppresses), "the exclude rule deleted");
                assertEquals(AuditStatus.ON, audit.status().enabled(), "audit on again");
                assertEquals(List.of(declared.extensions().what()), tamperingDeclared(h, listener),
                        "connects seen again, and the probe's own put-back is no tampering");
            } finally {
                deleteSuppressingRulesNotIn(audit, before);
            }
            assertEquals(before.size(), audit.rules().size(), "nothing left behind");
        }
    }

    /**
     * A root process that makes the kernel drop records unseen — a rate limit of 1 record a second —
     * and silent about it ({@code failure=0}): declared with its maker, and both settings put back
     * to what audit had when the probe armed.
     */
    @Test
    void aRateLimitOrFailureModeSetIsDeclaredAndPutBack() throws Exception {
        String settings = """
                import socket, struct
                s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
                # AUDIT_SET: mask AUDIT_STATUS_FAILURE | AUDIT_STATUS_RATE_LIMIT, failure 0, rate limit 1
                s.send(struct.pack("=IHHII", 16 + 44, 1001, 1 | 4, 0, 0) + struct.pack("=11I", 0x2 | 0x8, 0, 0, 0, 1, *[0] * 6))
                assert struct.unpack_from("=i", s.recv(8192), 16)[0] == 0
                """;
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AuditStatus before = audit.status();
            try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
                assertTrue(before.failure() != 0 || before.rateLimit() != 1, "the test needs settings to change");
                Attack p = attack(settings);
                List<ProbeEvent> declared = h.await(e -> e.source() == ProbeSource.AGENT_TAMPERED
                        && e.guestPid() == p.pid(), 2, PATIENCE);
                assertEquals(Set.of("audit setting audit_failure set to 0 (was " + before.failure() + ")",
                                "audit setting audit_rate_limit set to 1 (was " + before.rateLimit() + ")"),
                        declared.stream().map(e -> e.extensions().what().split(" by pid ")[0]).collect(Collectors.toSet()));
                assertTrue(declared.getFirst().extensions().what().endsWith("put back (0 rules, failure mode "
                        + before.failure() + ", rate limit " + before.rateLimit() + ")"), declared.toString());
                AuditStatus now = audit.status();
                assertEquals(before.failure(), now.failure(), "the failure mode put back");
                assertEquals(before.rateLimit(), now.rateLimit(), "the rate limit put back");
                assertEquals(declared.stream().map(e -> e.extensions().what()).toList(), tamperingDeclared(h, listener),
                        "nothing else declared");
            } finally {
                audit.setStatus(AuditStatus.MASK_FAILURE | AuditStatus.MASK_RATE_LIMIT, before);
            }
        }
    }

    /**
     * Root may send to any netlink port ({@code /proc/net/netlink} lists them): a forged record to
     * the probe's record socket, or junk enough to fill its control socket so that the kernel's
     * answers to its put-back are dropped. Both its sockets are connected to the kernel, which
     * refuses such a datagram to its sender.
     */
    @Test
    void aDatagramFromAnotherProcessToTheProbesSocketsIsRefused() throws Exception {
        String send = """
                import socket, sys
                s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
                record = b"audit(1.000:1): arch=c000003e syscall=42 success=yes exit=0 pid=4242424 comm=\\"forged\\""
                refused = 0
                for port in sys.argv[1:]:
                    try:
                        s.sendto(len(record).to_bytes(4, "little") + (1300).to_bytes(2, "little") + bytes(10) + record,
                                 (int(port), 0))
                    except ConnectionRefusedError:
                        refused += 1
                print(refused)
                """;
        try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
            List<String> ports = NetlinkPorts.ofThisProcess(NetlinkSocket.NETLINK_AUDIT, fd -> true);
            assertEquals(2, ports.size(), "the probe's control and record sockets: " + ports);
            assertEquals("2", attack(send, ports.toArray(String[]::new)).said(), "every datagram refused");
            assertTrue(h.events().stream().noneMatch(e -> e.guestPid() == 4242424), "nothing forged taken");
        }
    }

    /**
     * A rule that drops every record, its own addition's among them, naming an executable path that
     * resolves only inside the attacker's root: the kernel will not delete it for a process
     * elsewhere ({@code ENOENT}, or {@code ENOTDIR} where the path runs through a file in the
     * probe's root). The probe's check finds it and deletes it from an empty root of its own in
     * which the path's directories are made as the kernel walks it; connects are seen again. Paths,
     * in hex: {@code /d/x}, {@code /etc/passwd/x}, {@code /a/../b/x} (which needs {@code /a} as well
     * as {@code /b}), and {@code /\xff/x}, no UTF-8.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2f642f78", "2f6574632f7061737377642f78", "2f612f2e2e2f622f78", "2fff2f78"})
    void anExcludeRuleOnAPathOnlyTheAttackersRootResolvesIsDeletedFromAnEmptyRoot(String path) throws Exception {
        Path root = Files.createTempDirectory("cellos-attacker-root");
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024);
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            List<AuditRule> before = audit.rules();
            try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
                assertEquals("ok", blind("exe-exclude", "add", root.toString(), path).said());
                try {
                    // found by the check, or by a put-back after a record of the probe's own arming
                    String what = awaitOne(h, e -> e.source() == ProbeSource.AGENT_TAMPERED).extensions().what();
                    assertTrue(what.startsWith("audit changed"), what);
                    assertTrue(what.endsWith("; put back (1 rules that keep records from being made deleted, 0 rules)"), what);
                    assertTrue(audit.rules().stream().noneMatch(AuditRule::suppresses), "the exclude rule deleted");
                    assertEquals(List.of(what), tamperingDeclared(h, listener), "connects seen again, nothing else declared");
                } finally { // before the probe closes, which leaves audit on while a rule of someone else's is left
                    start(List.of(PYTHON, BLIND), "exe-exclude", "del", root.toString(), path).waitFor();
                }
            } finally {
                deleteSuppressingRulesNotIn(audit, before);
            }
        }
    }

    /**
     * Records that name no sender any more, and an unnamed change every 40 ms, each one waiting for a
     * sender when the check falls due: the check is put off at most one period, then made.
     */
    @Test
    void aChangeEvery40MsCannotPutTheCheckOffForGood() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024)) {
            List<AuditRule> before = audit.rules();
            Process changes = null;
            try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
                changes = start(List.of(PYTHON, BLIND), "refused-changes", Long.toString(6 * AuditProbe.CHECK_SECONDS));
                String what = awaitOne(h, e -> e.source() == ProbeSource.AGENT_TAMPERED).extensions().what();
                assertTrue(changes.isAlive(), "declared while the changes still came");
                assertTrue(what.startsWith("audit changed with no record of the change read (found by the agent's check of"
                        + " audit every " + AuditProbe.CHECK_SECONDS + " s); put back (1 rules that keep records from being"
                        + " made deleted, 0 rules)"), what);
            } finally {
                if (changes != null) {
                    changes.destroy();
                    changes.waitFor();
                }
                deleteSuppressingRulesNotIn(audit, before);
            }
        }
    }

    /**
     * Rules under a live agent's key that this agent's version would not add (an agent of another
     * version beside it, or someone using its key), where no record told of them: the check leaves
     * the one that makes records, which takes nothing from anyone, and deletes the one that keeps
     * them from being made — no agent adds such a rule.
     */
    @Test
    void theCheckLeavesAnotherAgentsRulesButNotOneThatKeepsRecordsFromBeingMade() throws Exception {
        Process other = new ProcessBuilder("sleep", "120").start(); // a live pid to name in the key
        String key = "cellos-telemetry:" + other.pid() + ":0:64:15000";
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024)) {
            List<AuditRule> before = audit.rules();
            try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
                try {
                    assertEquals("ok", blind("under-key", key).said());
                    String what = awaitOne(h, e -> e.source() == ProbeSource.AGENT_TAMPERED
                            && e.extensions().what().startsWith("audit changed with no record")).extensions().what();
                    assertTrue(what.endsWith("; put back (1 rules that are no agent's deleted from under another agent's"
                            + " key, 0 rules)"), what);
                    List<AuditRule> left = rulesWithKey(audit, key);
                    assertEquals(1, left.size(), left.toString());
                    assertFalse(left.getFirst().suppresses(), left.toString());
                } finally { // before the probe closes, which leaves audit's settings to an agent it thinks alive
                    for (AuditRule r : rulesWithKey(audit, key)) {
                        audit.deleteRule(r);
                    }
                    other.destroy();
                    other.waitFor();
                }
            } finally {
                deleteSuppressingRulesNotIn(audit, before);
            }
        }
    }

    /** A rule that drops every message from user space: the probe's markers and the barrier it stops by. */
    @Test
    void aNeverRuleOnTheUserListIsDeclaredAndDeleted() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024)) {
            List<AuditRule> before = audit.rules();
            AuditProbe probe = new AuditProbe();
            try (ProbeHarness h = ProbeHarness.start(probe)) {
                Attack p = blind("user-never");
                String what = awaitOne(h, e -> e.source() == ProbeSource.AGENT_TAMPERED && e.guestPid() == p.pid())
                        .extensions().what();
                assertTrue(what.startsWith("audit rule added by pid " + p.pid() + " (python3); put back (1 rules that keep"
                        + " records from being made deleted"), what);
                assertTrue(audit.rules().stream().noneMatch(AuditRule::suppresses), "the never rule deleted");
            } finally {
                deleteSuppressingRulesNotIn(audit, before);
            }
            assertTrue(probe.barrierSeen(), "the probe stopped by its barrier");
        }
    }

    /** A Python script run by {@link #attack}: its pid, which declarations name, and what it printed. */
    private record Attack(long pid, String said) {
    }

    /** Runs a Python script with {@code args} to its end, which must be exit status 0. */
    private static Attack attack(String script, String... args) throws Exception {
        return ran(start(List.of(PYTHON, "-c", script), args));
    }

    /** Runs {@value #BLIND} with {@code args} to its end, which must be exit status 0. */
    private static Attack blind(String... args) throws Exception {
        return ran(start(List.of(PYTHON, BLIND), args));
    }

    private static Process start(List<String> program, String... args) throws IOException {
        List<String> command = new ArrayList<>(program);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static Attack ran(Process p) throws Exception {
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), said);
        return new Attack(p.pid(), said);
    }

    /** A JVM of its own that runs {@link AuditTamperer} on the rules under {@code key}, {@code rounds} times. */
    private static Process tamperer(String key, int rounds) throws IOException {
        return tamperer(key, Integer.toString(rounds));
    }

    /** A JVM of its own that runs {@link AuditTamperer} with {@code key} and {@code how}. */
    private static Process tamperer(String key, String how) throws IOException {
        return new ProcessBuilder(OtherJvm.command(AuditTamperer.class, key, how)).redirectErrorStream(true).start();
    }

    @Test
    void whatAnAgentThatDiedWithoutClosingLeftIsUndoneByTheNextProbe() throws Exception {
        int settings = AuditStatus.MASK_ENABLED | AuditStatus.MASK_BACKLOG_LIMIT | AuditStatus.MASK_BACKLOG_WAIT_TIME;
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024)) {
            // a probe that arms and closes undoes what agents killed earlier left: start from the original settings
            ProbeHarness.start(new AuditProbe()).close();
            AuditStatus before = audit.status();
            assertEquals(0, before.pid(), "another audit daemon (pid " + before.pid() + ") is registered: this test needs to be the daemon");
            // what a killed agent leaves: its rules, whose key records the settings it found, and its own settings
            Process gone = run("true");
            List<AuditRule> left = new AuditRuleSet((int) gone.pid(), before, false).rules();
            try {
                for (AuditRule r : left) {
                    assertTrue(audit.addRule(r), () -> "could not plant " + r);
                }
                audit.setStatus(settings, before.withEnabled(AuditStatus.ON).withBacklogLimit(AuditProbe.BACKLOG_LIMIT)
                        .withBacklogWaitTime(0));
                try (ProbeHarness h = ProbeHarness.start(new AuditProbe())) {
                    assertEquals(List.of(), rulesWithKey(audit, left.getFirst().key()));
                }
                AuditStatus after = audit.status();
                assertEquals(before.enabled(), after.enabled());
                assertEquals(before.backlogLimit(), after.backlogLimit());
                assertEquals(before.backlogWaitTime(), after.backlogWaitTime());
            } finally {
                // leave the machine as found even if the probe did not
                for (AuditRule r : left) {
                    audit.deleteRule(r);
                }
                audit.setStatus(settings, before);
            }
        }
    }

    @Test
    void anAgentThatDiedBesideALiveOneLeavesNothingOnceThatOneCloses() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("test audit control", false, 64 * 1024)) {
            ProbeHarness.start(new AuditProbe()).close();
            AuditStatus before = audit.status();
            assertEquals(0, before.pid(), "another audit daemon (pid " + before.pid() + ") is registered: this test needs to be the daemon");
            Process gone = run("true");
            List<AuditRule> left = List.of();
            try (ProbeHarness live = ProbeHarness.start(new AuditProbe())) {
                // an agent that armed beside the live one found that one's settings, and was killed
                left = new AuditRuleSet((int) gone.pid(), audit.status(), false).rules();
                for (AuditRule r : left) {
                    assertTrue(audit.addRule(r), "could not plant " + r);
                }
            } finally {
                for (AuditRule r : left) {
                    audit.deleteRule(r);
                }
            }
            assertTrue(audit.rules().stream().noneMatch(r -> AuditRuleSet.ownerOf(r) != null), () -> "left: " + rulesOf(audit));
            AuditStatus after = audit.status();
            assertEquals(before.enabled(), after.enabled());
            assertEquals(before.backlogLimit(), after.backlogLimit());
            assertEquals(before.backlogWaitTime(), after.backlogWaitTime());
        }
    }

    @Test
    void connectsTheProbeCouldNotKeepUpWithAreCountedAsLostNotHidden() throws Exception {
        int connects = 20_000;
        GatedProbe gated = new GatedProbe(new AuditProbe());
        try (ProbeHarness h = ProbeHarness.start(gated)) {
            gated.shut();
            // one process connects over and over to a listener of its own; the stalled probe reads none of it
            Process p = run(PYTHON, "-c", """
                    import socket
                    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(128)
                    for i in range(%d):
                        c = socket.create_connection(l.getsockname()); c.close(); l.accept()[0].close()
                    print(l.getsockname()[1])
                    """.formatted(connects));
            String peer = "127.0.0.1:" + new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            gated.open();
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            long declared = 0;
            while (System.nanoTime() < deadline) {
                declared = h.events().stream().filter(connectTo(peer).and(e -> e.guestPid() == p.pid())).count();
                if (declared + h.lost() >= connects) {
                    break;
                }
                Thread.sleep(50); // a loss is a count, not an event the harness could wait on: polled
            }
            // every connect lost had at least one record lost, and each lost record is counted
            assertTrue(declared + h.lost() >= connects, "declared " + declared + " + lost " + h.lost() + " < " + connects);
            assertTrue(declared > 0, "no connect declared at all");
        }
    }

    /**
     * Every {@code agent.tampered} the probe declared once all it read before now is decided: a
     * connect declared after now shows the probe has read every record before it, and the turn of
     * the loop that declares another, made past the wait for senders, decides whatever came unnamed.
     */
    private static List<String> tamperingDeclared(ProbeHarness h, ServerSocket listener) throws Exception {
        int port = listener.getLocalPort();
        Process p = run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
        awaitOne(h, connectTo("127.0.0.1:" + port).and(e -> e.guestPid() == p.pid()));
        Thread.sleep(2 * AuditConfigChanges.UNNAMED_AFTER_MS);
        Process q = run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
        awaitOne(h, connectTo("127.0.0.1:" + port).and(e -> e.guestPid() == q.pid()));
        h.pause(); // the turn that declared the connect is over, its decisions made
        try {
            return h.events().stream().filter(e -> e.source() == ProbeSource.AGENT_TAMPERED)
                    .map(e -> e.extensions().what()).toList();
        } finally {
            h.resume();
        }
    }

    /**
     * Deletes the rules that keep records from being made which audit did not have {@code before}:
     * a test that adds one leaves the machine as it found it even when the probe failed to.
     */
    private static void deleteSuppressingRulesNotIn(AuditNetlink audit, List<AuditRule> before) throws IOException {
        for (AuditRule r : audit.rules()) {
            if (r.suppresses() && !before.contains(r)) {
                audit.deleteRule(r);
            }
        }
    }

    private static List<AuditRule> rulesWithKey(AuditNetlink audit, String key) throws IOException {
        return audit.rules().stream().filter(r -> key.equals(r.key())).toList();
    }

    private static List<AuditRule> rulesOf(AuditNetlink audit) {
        try {
            return audit.rules();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Predicate<ProbeEvent> connectTo(String peer) {
        return e -> e.source() == ProbeSource.NET_CONNECT_ATTEMPTED && peer.equals(e.extensions().peer());
    }

    private static ProbeEvent awaitOne(ProbeHarness h, Predicate<ProbeEvent> match) throws InterruptedException {
        List<ProbeEvent> got = h.await(match, 1, PATIENCE);
        assertEquals(1, got.size(), () -> "exactly one matching event: " + got);
        return got.getFirst();
    }

    /** Runs a command to its end; its status must be 0. Its output stays readable. */
    private static Process run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int status = p.waitFor();
        assertEquals(0, status, () -> String.join(" ", command) + " exited " + status);
        return p;
    }
}
