package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.probe.OtherJvm;
import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Agents that share one kernel's audit, as local cells run side by side: each in a process of its
 * own (a JVM started by the test, and the test's own), against the real kernel. No agent's end
 * takes audit's settings from under another, the daemon's place passes to the one left, and
 * nothing is read twice or counted lost that was not.
 */
class AuditPeersTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final int CONNECTS = 30;
    private static final int STORM = 3000;

    private AuditNetlink audit;
    private AuditStatus before;
    private ServerSocket listener;
    private Process other;
    private BufferedReader otherSays;

    @BeforeEach
    void start() throws Exception {
        audit = new AuditNetlink("test audit control", false, 64 * 1024);
        ProbeHarness.start(new AuditProbe()).close(); // undo what agents killed before this test may have left
        before = audit.status();
        assertEquals(0, before.pid(), "another audit daemon (pid " + before.pid() + ") is registered: this test needs none");
        listener = new ServerSocket(0, 100, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(() -> { // takes every connection, so that a storm of them never waits
            while (!listener.isClosed()) {
                try {
                    listener.accept().close();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        other = new ProcessBuilder(OtherJvm.command(AuditProbeProcess.class))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        otherSays = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("armed daemon", otherSays.readLine(), "the first agent is the daemon");
    }

    @AfterEach
    void stop() throws Exception {
        other.destroyForcibly().waitFor();
        listener.close();
        audit.close();
    }

    @Test
    void whenTheDaemonAgentEndsTheSettingsStayAndTheOtherTakesItsPlace() throws Exception {
        try (ProbeHarness beside = ProbeHarness.start(new AuditProbe())) {
            assertFalse(isDaemon(), "the second reads the multicast log");
            connectAndAwait(beside, "before the first agent ends");

            // records go on being made while the daemon's place passes from one agent to the other
            Process storm = connects(STORM);
            try (PrintStream toOther = new PrintStream(other.getOutputStream(), true, StandardCharsets.UTF_8)) {
                toOther.println("close");
            }
            assertEquals("closed lost=0", otherSays.readLine());
            assertEquals(0, other.waitFor());
            assertHeldForTheAgentsLeft(beside);
            awaitDaemon(beside);
            awaitEachOnce(beside, storm, STORM, "made while the daemon changed");

            connectAndAwait(beside, "after the take-over");
            assertEquals(0, beside.lost(), "nothing lost, nothing counted lost");
            assertTrue(beside.events().stream().noneMatch(e -> e.source() == ProbeSource.AGENT_TAMPERED),
                    "another agent's arming and closing is no tampering: " + beside.events().stream()
                            .filter(e -> e.source() == ProbeSource.AGENT_TAMPERED).toList());
        }
        assertGivenBack();
    }

    @Test
    void whenTheDaemonAgentIsKilledTheOtherTakesItsPlaceAndTheLastGivesBackItsSettings() throws Exception {
        try (ProbeHarness beside = ProbeHarness.start(new AuditProbe())) {
            connectAndAwait(beside, "before the first agent is killed");
            other.destroyForcibly().waitFor();
            assertHeldForTheAgentsLeft(beside);

            // the kernel notices the dead daemon when it next has a record for it
            connectAndAwait(beside, "while the daemon is dead");
            awaitDaemon(beside);
            connectAndAwait(beside, "after the take-over");
            assertEquals(0, beside.lost(), "nothing lost, nothing counted lost");
        }
        assertGivenBack();
    }

    /** {@value #CONNECTS} connects, each seen exactly once. */
    private void connectAndAwait(ProbeHarness h, String when) throws Exception {
        awaitEachOnce(h, connects(CONNECTS), CONNECTS, when);
    }

    /** A process that connects to the listener {@code n} times, one after the other. */
    private Process connects(int n) throws IOException {
        return new ProcessBuilder("bash", "-c", "for i in $(seq " + n + "); do exec 3<>/dev/tcp/127.0.0.1/"
                + listener.getLocalPort() + "; exec 3>&-; done").redirectErrorStream(true).start();
    }

    private void awaitEachOnce(ProbeHarness h, Process p, int n, String when) throws Exception {
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        Predicate<ProbeEvent> mine = e -> e.source() == ProbeSource.NET_CONNECT_ATTEMPTED && e.guestPid() == p.pid()
                && ("127.0.0.1:" + listener.getLocalPort()).equals(e.extensions().peer());
        h.await(mine, n, PATIENCE);
        Thread.sleep(300); // a duplicate would come with the next records or the status poll: let them come
        assertEquals(n, h.events().stream().filter(mine).count(), "each connect once, " + when);
    }

    /** The backlog the agents set, and audit on, while an agent is left. */
    private void assertHeldForTheAgentsLeft(ProbeHarness left) throws IOException {
        AuditStatus now = audit.status();
        if (now.enabled() != AuditStatus.ON) {
            fail("audit off while an agent is left; the agents' rules: " + audit.rules().stream()
                    .map(AuditRuleSet::ownerOf).filter(java.util.Objects::nonNull).toList() + "; the agent left " + left.state());
        }
        assertEquals(AuditProbe.BACKLOG_LIMIT, now.backlogLimit());
        assertEquals(0, now.backlogWaitTime(), "a full backlog drops and counts: no workload waits");
    }

    private void awaitDaemon(ProbeHarness left) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!isDaemon()) {
            assertTrue(System.nanoTime() < deadline, "the agent left became the daemon within " + PATIENCE
                    + " (daemon pid " + audit.status().pid() + "; the agent left " + left.state() + ")");
            Thread.sleep(20); // the kernel's audit status tells no one when it changes: it is polled
        }
    }

    private boolean isDaemon() throws IOException {
        return audit.status().pid() == Libc.getpid();
    }

    private void assertGivenBack() throws IOException {
        AuditStatus after = audit.status();
        assertEquals(0, after.pid());
        assertEquals(before.enabled(), after.enabled());
        assertEquals(before.backlogLimit(), after.backlogLimit());
        assertEquals(before.backlogWaitTime(), after.backlogWaitTime());
        assertTrue(audit.rules().stream().noneMatch(r -> AuditRuleSet.ownerOf(r) != null), "no agent's rule left");
    }
}
