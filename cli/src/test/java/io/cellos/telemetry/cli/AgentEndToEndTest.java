package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.CapturingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole guest-to-host path with real parts: the receiver of the foundation, the agent as
 * init launches it (a process of its own, scoped to a workload's tree), and a workload of real
 * processes — 500 that live under a millisecond, a named writer of a watched file, TCP and UDP
 * connects to loopback, a refused {@code sethostname} — then the receiver restarted while the
 * workload runs on. Under each mechanism, and under eBPF with a batch window too (its records then
 * wait for the agent's promised look instead of waking it): nothing may be lost to it.
 */
@ParameterizedClass(name = "--probe-mechanism {0}")
@ValueSource(strings = {"bpf", "audit", "bpf --batch-window 10ms"})
class AgentEndToEndTest {
    /** How the agent observes, its mechanism and options after it: the same workload must reach the host under each. */
    @Parameter
    String observation;
    static final Duration PATIENCE = Duration.ofSeconds(60);

    /** The mechanism alone: the parameter's first word. */
    private String mechanism() {
        return observation.split(" ")[0];
    }
    static final int SHORT = 500;

    @TempDir
    Path dir;

    /** The workload, a shell that waits at each phase for a line on its standard input. */
    static final String WORKLOAD = """
            read go
            i=0
            while [ $i -lt %d ]; do /bin/sh -c 'echo "short $$ $0"; exit $0' $((i %% 100)); i=$((i+1)); done
            echo data | "$WRITER" "$WATCHED/f.txt" > /dev/null & echo "writer $!"; wait
            /usr/bin/python3 -c 'import os,socket,sys; print("tcp", os.getpid(), flush=True); socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()' "$TCP"
            /usr/bin/python3 -c 'import os,socket,sys; print("udp", os.getpid(), flush=True); s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(("127.0.0.1", int(sys.argv[1]))); s.close()' "$UDP"
            unshare --uts setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -c 'echo "deny $$"; exec hostname cellos-e2e-refused' 2>/dev/null
            echo "hostname-status $?"
            echo "phase-1-done"
            read again
            i=0
            while [ $i -lt 1000 ]; do /bin/true; i=$((i+1)); done
            echo "phase-2-done"
            read done
            """.formatted(SHORT);

    @Test
    void aWorkloadsProcessesFilesConnectsAndDenialsReachTheHostAndDropsAreReported() throws Exception {
        CapturingSink sink = new CapturingSink();
        Path watched = Files.createDirectories(dir.resolve("watched"));
        Path writer = dir.resolve("writer-proc");
        Files.copy(Path.of("/usr/bin/tee"), writer);
        writer.toFile().setExecutable(true);
        Path script = dir.resolve("workload.sh");
        Files.writeString(script, WORKLOAD);
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5)), sink,
                System.err);
             ServerSocket tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Path uds = dir.resolve("cell.vsock");
            CellHandle cell = receiver.bind(uds, new CellStamp("e2e", "r1", null));
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", script.toString()).redirectErrorStream(true);
            pb.environment().putAll(Map.of("WRITER", writer.toString(), "WATCHED", watched.toString(),
                    "TCP", Integer.toString(tcp.getLocalPort()), "UDP", Integer.toString(udp.getLocalPort())));
            Process workload = pb.start();
            List<String> options = new ArrayList<>(List.of("--transport", "unix:" + cell.socketPath(),
                    "--scope-root", Long.toString(workload.pid()), "--watch", watched.toString(), "--queue", "256",
                    "--probe-mechanism"));
            options.addAll(List.of(observation.split(" ")));
            try (AgentLauncherRun agent = AgentLauncherRun.start(dir, options.toArray(String[]::new))) {
                assertEquals(0, agent.status(), agent.stderr());
                assertTrue(agent.stderr().contains("mechanism " + mechanism() + ","), "the ready line names it: " + agent.stderr());
                assertTrue(!observation.contains("--batch-window") || agent.stderr().contains("batch window 10ms,"),
                        "the ready line names the window: " + agent.stderr());
                BufferedReader out = new BufferedReader(new InputStreamReader(workload.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream in = workload.getOutputStream();
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                Map<String, List<long[]>> said = readUntil(out, "phase-1-done");

                List<long[]> shorts = said.get("short");
                assertEquals(SHORT, shorts.size());
                for (long[] s : shorts) {
                    long pid = s[0];
                    JsonNode spawned = one(sink, "process.spawned", pid);
                    assertEquals(workload.pid(), spawned.at("/data/parent_pid").asLong(), "parent of " + pid);
                    JsonNode exec = one(sink, "process.exec", pid);
                    assertEquals("sh", exec.at("/data/guest_comm").asText());
                    JsonNode exited = one(sink, "process.exited", pid);
                    assertEquals(s[1] << 8, exited.at("/data/exit_code").asLong(), "exit status of " + pid);
                }
                long writerPid = said.get("writer").get(0)[0];
                JsonNode file = sink.await(e -> type(e, "fs.inotify_fired") && pid(e) == writerPid, 1, PATIENCE).get(0);
                assertEquals("writer-proc", file.at("/data/guest_comm").asText());
                assertTrue(file.at("/data/path").asText().endsWith("watched/f.txt"), file.toString());
                long tcpPid = said.get("tcp").get(0)[0];
                JsonNode connect = sink.await(e -> type(e, "net.connect_attempted") && pid(e) == tcpPid, 1, PATIENCE).get(0);
                assertEquals("127.0.0.1:" + tcp.getLocalPort(), connect.at("/data/peer").asText());
                long udpPid = said.get("udp").get(0)[0];
                JsonNode udpConnect = sink.await(e -> type(e, "net.connect_attempted") && pid(e) == udpPid, 1, PATIENCE)
                        .get(0);
                assertEquals("127.0.0.1:" + udp.getLocalPort(), udpConnect.at("/data/peer").asText());
                long denyPid = said.get("deny").get(0)[0];
                assertNotEquals(0, said.get("hostname-status").get(0)[0], "sethostname was refused");
                // audit names the refused call; eBPF names the capability the kernel checked, and the call
                JsonNode denied = sink.await(e -> type(e, "capability.denied") && pid(e) == denyPid
                        && e.at("/data/syscall").asInt() == 170, 1, PATIENCE).get(0);
                if (mechanism().equals("bpf")) {
                    assertEquals(21, denied.at("/data/capability").asInt(), "CAP_SYS_ADMIN: " + denied);
                }

                // the receiver goes away while the workload goes on: the agent drops, counts, and
                // reports the count first thing on the new connection
                cell.close();
                in.write("again\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                readUntil(out, "phase-2-done");
                CellHandle back = receiver.bind(uds, new CellStamp("e2e", "r2", null));
                JsonNode first = sink.await(e -> e.get("id").asText().equals("r2/c1/f1"), 1, PATIENCE).get(0);
                assertEquals("cell.observability.guest.telemetry.dropped", first.get("type").asText());
                assertTrue(first.at("/data/dropped_total").asLong() >= 3 * 1000 - 256,
                        "1,000 processes into a queue of 256 with no receiver: " + first);
                back.close();
                in.write("done\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                assertEquals(0, workload.waitFor());
            }
        }
    }

    private static boolean type(JsonNode e, String source) {
        return e.get("type").asText().equals("cell.observability.guest." + source);
    }

    private static long pid(JsonNode e) {
        return e.at("/data/guest_pid").asLong();
    }

    private static JsonNode one(CapturingSink sink, String source, long pid) {
        Predicate<JsonNode> match = e -> type(e, source) && pid(e) == pid;
        List<JsonNode> got = sink.await(match, 1, PATIENCE);
        assertEquals(1, got.size(), source + " of " + pid + " declared once");
        return got.get(0);
    }

    /** Reads the workload's lines ({@code word number [number]}) until {@code last}. */
    private static Map<String, List<long[]>> readUntil(BufferedReader out, String last) throws Exception {
        Map<String, List<long[]>> said = new HashMap<>();
        String line;
        while ((line = out.readLine()) != null && !line.equals(last)) {
            String[] f = line.split(" ");
            long[] v = new long[f.length - 1];
            for (int i = 1; i < f.length; i++) {
                v[i - 1] = Long.parseLong(f[i]);
            }
            said.computeIfAbsent(f[0], k -> new ArrayList<>()).add(v);
        }
        assertEquals(last, line, "the workload reached " + last + "; it said " + said.keySet());
        return said;
    }
}
