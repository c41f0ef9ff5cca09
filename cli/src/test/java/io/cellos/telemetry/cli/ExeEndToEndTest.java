package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static io.cellos.telemetry.cli.ScopedWorkload.PATIENCE;
import static io.cellos.telemetry.cli.ScopedWorkload.pid;
import static io.cellos.telemetry.cli.ScopedWorkload.sha256sum;
import static io.cellos.telemetry.cli.ScopedWorkload.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code exe} and {@code sha256} on a connect with the real agent, under each mechanism: a python3
 * that names itself {@code sshd} ({@code prctl(PR_SET_NAME)}) and connects to a loopback listener is
 * declared as {@code sshd}, but with python3's path and the hash coreutils' {@code sha256sum} gives
 * of that file. Run by its real path, both mechanisms say that path; run through the
 * {@code /usr/bin/python3} symlink, audit says the file the kernel ran and eBPF the absolute name
 * {@code execve} was given. A python3 that exec'd before the agent started is named from
 * {@code /proc/PID/exe}, without a hash.
 */
@ParameterizedClass(name = "--probe-mechanism {0}")
@ValueSource(strings = {"bpf", "audit"})
class ExeEndToEndTest {
    private static final String SSHD = """
            import ctypes, os, socket
            ctypes.CDLL(None).prctl(15, b"sshd", 0, 0, 0)
            listener = socket.create_server(("127.0.0.1", 0))
            print("%s", os.getpid(), flush=True)
            socket.create_connection(listener.getsockname()).close()
            listener.close()
            """;

    @Parameter
    String mechanism;

    @TempDir
    Path dir;

    @Test
    void aConnectOfAProcessNamedSshdCarriesPython3sPathAndHash() throws Exception {
        Path python = Path.of("/usr/bin/python3").toRealPath();
        String sha = sha256sum(python);
        // a first python3 that lives to be hashed: the hasher, busy with another file when an exec
        // comes, answers at once without a hash (ExecDigests); the later execs find it cached
        String workload = "read go\n" + python + " -c 'import time; time.sleep(0.7)'\n"
                + python + " -c '" + SSHD.formatted("real") + "'\n"
                + "/usr/bin/python3 -c '" + SSHD.formatted("link") + "'\n" + "echo done 0\n";
        try (ScopedWorkload run = ScopedWorkload.start(dir, workload, mechanism, dir.resolve("agent.log"))) {
            run.go();
            Map<String, Long> said = run.readUntil("done");

            JsonNode real = connectOf(run, said.get("real"));
            assertEquals("sshd", real.at("/data/guest_comm").asText(), real.toString());
            assertEquals(python.toString(), real.at("/data/exe").asText(), real.toString());
            assertEquals(sha, real.at("/data/sha256").asText(), about(run, said.get("real")));

            JsonNode link = connectOf(run, said.get("link"));
            assertEquals("sshd", link.at("/data/guest_comm").asText(), link.toString());
            assertEquals(mechanism.equals("bpf") ? "/usr/bin/python3" : python.toString(), link.at("/data/exe").asText(),
                    link.toString());
            assertEquals(sha, link.at("/data/sha256").asText(), about(run, said.get("link")));
            System.err.printf("exe (%s): %s%n", mechanism, link.get("data"));
            run.finish();
        }
    }

    /**
     * A process that exec'd before the agent started: its path from /proc/PID/exe, without a hash.
     * It lingers a second after its connect: /proc is read when the event is sent, and under audit
     * that can be after a process that ends at once is gone (its connect then goes without exe).
     */
    @Test
    void aProcessOlderThanTheAgentIsNamedFromProc() throws Exception {
        Path python = Path.of("/usr/bin/python3").toRealPath();
        String older = SSHD.formatted("older").replace("socket.create_connection", "input()\nsocket.create_connection")
                + "import time\ntime.sleep(1)\n";
        String workload = python + " -c '" + older + "'\n" + "echo done 0\n";
        try (ScopedWorkload run = ScopedWorkload.start(dir, workload, mechanism, dir.resolve("agent.log"))) {
            run.go(); // read by the python3 started before the agent
            Map<String, Long> said = run.readUntil("done");
            JsonNode e = connectOf(run, said.get("older"));
            assertEquals("sshd", e.at("/data/guest_comm").asText(), e.toString());
            assertEquals(python.toString(), e.at("/data/exe").asText(), e.toString());
            assertTrue(e.at("/data/sha256").isMissingNode(), "no exec seen, no hash: " + e);
            run.finish();
        }
    }

    /** Everything declared of process {@code pid}, for a failure's message. */
    private static String about(ScopedWorkload run, long pid) {
        run.sink.await(e -> type(e, "process.exited") && pid(e) == pid, 1, PATIENCE);
        return run.sink.events().stream().filter(e -> pid(e) == pid).map(e -> e.get("data").toString())
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    private static JsonNode connectOf(ScopedWorkload run, long pid) {
        return run.sink.await(e -> type(e, "net.connect_attempted") && pid(e) == pid, 1, PATIENCE).get(0);
    }
}
