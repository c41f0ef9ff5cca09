package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.CapturingSink;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A workload script run by {@code /bin/sh} under the real agent, which is scoped to it
 * ({@code --scope-root}) and streams to a real receiver whose events are captured. The script
 * starts with {@code read go}: it waits until {@link #go} so that the agent is ready first; it says
 * {@code word pid} lines that {@link #readUntil} collects. {@code $DIR} is the test's directory.
 *
 * <p>Closing stops the agent (its scope root has ended, or it is stopped), then the receiver.
 */
final class ScopedWorkload implements AutoCloseable {
    static final Duration PATIENCE = Duration.ofSeconds(60);

    final CapturingSink sink = new CapturingSink();
    private final Receiver receiver;
    private final CellHandle cell;
    private final Process workload;
    private final AgentLauncherRun agent;
    private final BufferedReader out;

    private ScopedWorkload(Path dir, String script, String mechanism, Path log) throws Exception {
        receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5)), sink, System.err);
        cell = receiver.bind(dir.resolve("cell.vsock"), new CellStamp("workload", "r1", null));
        Path file = dir.resolve("workload.sh");
        Files.writeString(file, script);
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", file.toString()).redirectErrorStream(true);
        pb.environment().put("DIR", dir.toString());
        workload = pb.start();
        out = new BufferedReader(new InputStreamReader(workload.getInputStream(), StandardCharsets.UTF_8));
        agent = AgentLauncherRun.start(dir, "--transport", "unix:" + cell.socketPath(), "--scope-root",
                Long.toString(workload.pid()), "--queue", "4096", "--log", log.toString(), "--probe-mechanism", mechanism);
        assertEquals(0, agent.status(), agent.stderr());
    }

    /** Starts the receiver, the workload (waiting at {@code read go}) and the agent scoped to it. */
    static ScopedWorkload start(Path dir, String script, String mechanism, Path log) throws Exception {
        return new ScopedWorkload(dir, script, mechanism, log);
    }

    /** Lets the workload past its {@code read go}. */
    void go() throws Exception {
        workload.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
        workload.getOutputStream().flush();
    }

    /** Reads the workload's {@code word pid} lines until {@code last}. */
    Map<String, Long> readUntil(String last) throws Exception {
        Map<String, Long> said = new HashMap<>();
        String line;
        while ((line = out.readLine()) != null) {
            String[] f = line.split(" ");
            if (f.length == 2) {
                said.put(f[0], Long.parseLong(f[1]));
            }
            if (f[0].equals(last)) {
                return said;
            }
        }
        throw new AssertionError("the workload ended before " + last + "; it said " + said);
    }

    /** Closes the workload's input, waits for it to end, and closes the cell. */
    void finish() throws Exception {
        workload.getOutputStream().close();
        assertTrue(workload.waitFor(30, TimeUnit.SECONDS));
        cell.close();
    }

    @Override
    public void close() throws Exception {
        try {
            agent.close();
        } finally {
            receiver.close();
        }
    }

    static boolean type(JsonNode e, String source) {
        return e.get("type").asText().equals("cell.observability.guest." + source);
    }

    static long pid(JsonNode e) {
        return e.at("/data/guest_pid").asLong();
    }

    /** The digest coreutils' {@code sha256sum} gives of {@code file}. */
    static String sha256sum(Path file) throws Exception {
        Process p = new ProcessBuilder("sha256sum", file.toString()).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        return text.substring(0, 64);
    }
}
