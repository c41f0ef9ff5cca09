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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    static final Pattern READY_PID = Pattern.compile("ready: pid (\\d+)");

    @TempDir
    Path dir;
    final List<Long> agents = new ArrayList<>();

    @AfterEach
    void killAgents() {
        for (long pid : agents) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Runs {@code cellos agent ARGS} as a process of its own; returns its exit status and stderr. */
    Launch launch(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "agent"));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "launcher", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher returns");
        String stderr = Files.readString(err);
        Matcher m = READY_PID.matcher(stderr);
        long agentPid = m.find() ? Long.parseLong(m.group(1)) : -1;
        if (agentPid > 0) {
            agents.add(agentPid);
        }
        return new Launch(p.exitValue(), stderr, p.pid(), agentPid);
    }

    record Launch(int status, String stderr, long launcherPid, long agentPid) {
    }

    @Test
    void exitZeroOnlyOnceConnectedAndTheAgentRunsOnDetached() throws Exception {
        Path sock = dir.resolve("cell.vsock_9001");
        try (ServerSocketChannel host = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            host.bind(UnixDomainSocketAddress.of(sock));
            host.configureBlocking(false);
            Launch l = launch("--transport", "unix:" + sock, "--on-agent-failure", "degrade");
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
        Launch l = launch("--transport", "unix:" + sock);
        assertEquals(2, l.status(), l.stderr());
        assertTrue(l.stderr().contains("not ready: cannot connect to the host at unix:" + sock), l.stderr());
        assertTrue(l.stderr().contains("ENOENT"), l.stderr());
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingStarts() throws Exception {
        Launch l = launch("--transport", "tcp:1.2.3.4:5");
        assertEquals(2, l.status());
        assertTrue(l.stderr().contains("neither unix:PATH nor vsock:CID:PORT"), l.stderr());
    }
}
