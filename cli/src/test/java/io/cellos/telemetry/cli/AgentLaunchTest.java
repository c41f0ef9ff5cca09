package io.cellos.telemetry.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's launch contract, with real processes: {@code cellos agent} returns 0 only once the
 * agent is ready — connected, every probe armed — and the agent runs on in its own session,
 * reparented away from the launcher; 2 with the reason when it cannot become ready.
 */
class AgentLaunchTest {

    @TempDir
    Path dir;
    final List<AgentLauncherRun> runs = new ArrayList<>();

    @AfterEach
    void killAgents() {
        runs.forEach(AgentLauncherRun::close);
    }

    AgentLauncherRun launch(String... args) throws IOException, InterruptedException {
        AgentLauncherRun r = AgentLauncherRun.start(dir, args);
        runs.add(r);
        return r;
    }

    @Test
    void exitZeroOnlyOnceConnectedAndTheAgentRunsOnDetached() throws Exception {
        Path sock = dir.resolve("cell.vsock_9001");
        try (ServerSocketChannel host = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            host.bind(UnixDomainSocketAddress.of(sock));
            host.configureBlocking(false);
            AgentLauncherRun l = launch("--transport", "unix:" + sock, "--on-agent-failure", "degrade");
            assertEquals(0, l.status(), l.stderr());
            // ready means connected: the connection is already waiting when the launcher returns
            SocketChannel conn = host.accept();
            assertNotNull(conn, "the agent connected before the launcher returned");
            conn.close();
            assertTrue(l.agentPid() > 0, l.stderr());
            ProcessHandle agent = ProcessHandle.of(l.agentPid()).orElseThrow(() -> new AssertionError("agent gone"));
            assertTrue(agent.isAlive());
            String stat = Files.readString(Path.of("/proc/" + l.agentPid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ppid = Long.parseLong(f[1]);
            long session = Long.parseLong(f[3]);
            assertNotEquals(l.launcherPid(), ppid, "reparented away from the launcher");
            assertEquals(l.agentPid(), session, "the agent leads a session of its own");
            assertEquals("cellos-agent", Files.readString(Path.of("/proc/" + l.agentPid() + "/comm")).strip());
            String status = Files.readString(Path.of("/proc/" + l.agentPid() + "/status"));
            assertTrue(status.contains("SigIgn:"), status);
            long ignored = Long.parseLong(status.lines().filter(s -> s.startsWith("SigIgn:")).findFirst().orElseThrow()
                    .substring(7).strip(), 16);
            for (int sig : new int[] {1, 2, 3, 13, 20, 21, 22}) { // HUP INT QUIT PIPE TSTP TTIN TTOU
                assertTrue((ignored & (1L << (sig - 1))) != 0, "signal " + sig + " ignored");
            }
        }
    }

    @Test
    void exitTwoWithTheReasonWhenTheHostIsNotThere() throws Exception {
        Path sock = dir.resolve("nobody-listens_9001");
        AgentLauncherRun l = launch("--transport", "unix:" + sock);
        assertEquals(2, l.status(), l.stderr());
        assertTrue(l.stderr().contains("not ready: cannot connect to the host at unix:" + sock), l.stderr());
        assertTrue(l.stderr().contains("ENOENT"), l.stderr());
    }

    @Test
    void underFailCellAWatchPathThatDoesNotExistStopsTheLaunch() throws Exception {
        Path sock = dir.resolve("cell.vsock_9001");
        try (ServerSocketChannel host = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            host.bind(UnixDomainSocketAddress.of(sock));
            Path missing = dir.resolve("no-such-file");
            AgentLauncherRun l = launch("--transport", "unix:" + sock, "--watch", missing.toString());
            assertEquals(2, l.status(), l.stderr());
            assertTrue(l.stderr().contains("not ready: a probe cannot be armed (--on-agent-failure fail-cell)"),
                    l.stderr());
            assertTrue(l.stderr().contains(missing.toString()) && l.stderr().contains("ENOENT"), l.stderr());
            assertEquals(-1, l.agentPid());
        }
    }

    @Test
    void underDegradeTheAgentStartsAndSaysWhichProbesAreOff() throws Exception {
        Path sock = dir.resolve("cell.vsock_9001");
        try (ServerSocketChannel host = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            host.bind(UnixDomainSocketAddress.of(sock));
            Path missing = dir.resolve("no-such-file");
            AgentLauncherRun l = launch("--transport", "unix:" + sock, "--watch", missing.toString(),
                    "--on-agent-failure", "degrade");
            assertEquals(0, l.status(), l.stderr());
            assertTrue(l.stderr().contains("OFF: declared files"), l.stderr());
            assertTrue(l.stderr().contains(missing.toString()), l.stderr());
            assertTrue(l.stderr().contains("processes (netlink proc connector)"), l.stderr());
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingStarts() throws Exception {
        AgentLauncherRun l = launch("--transport", "tcp:1.2.3.4:5");
        assertEquals(2, l.status());
        assertTrue(l.stderr().contains("neither unix:PATH nor vsock:CID:PORT"), l.stderr());
    }
}
