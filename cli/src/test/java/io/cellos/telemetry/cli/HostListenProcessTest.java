package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.event.OcsfSchema;
import io.cellos.telemetry.host.event.OcsfValidator;
import io.cellos.telemetry.host.sign.Ed25519Keys;
import io.cellos.telemetry.host.sink.nats.NatsServer;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cellos host listen} as a person runs it: a real process, a real socket, a real signal,
 * signed output checked by {@code cellos events verify}.
 */
class HostListenProcessTest {
    static final Duration PATIENCE = Duration.ofSeconds(30);
    /** The session of the stand-in agent: 32 lowercase hex digits. */
    static final String SESSION = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    /** {@code cellos args...} in a process of its own, its standard error to {@code stderr} in the test's directory. */
    private ProcessBuilder cellos(List<String> args, String stderr) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectError(dir.resolve(stderr).toFile());
    }

    private Process listen(Map<String, String> env, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("host", "listen"));
        args.addAll(List.of(extra));
        ProcessBuilder pb = cellos(args, "stderr.txt").redirectOutput(dir.resolve("stdout.txt").toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Waits for the listener to say it listens, then sends five process.spawned frames on one
     * connection, the first with {@code session} unless it is {@code null}.
     */
    private void sendFiveSpawns(Path socket, String session) throws Exception {
        // the socket file appears at bind(2), a moment before listen(2): the line is the signal
        Await.fileText(dir.resolve("stderr.txt"), t -> t.contains("listening on"), PATIENCE, "the listener's 'listening on' line");
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            FrameEncoder enc = new FrameEncoder();
            byte[] buf = new byte[Wire.MAX_FRAME_BYTES];
            for (int i = 0; i < 5; i++) {
                ProbeEvent e = ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 100 + i, "w" + i, i);
                if (i == 0 && session != null) {
                    e = e.withExtensions(Extensions.NONE.withSession(session));
                }
                int n = enc.encode(e, buf, 0);
                ch.write(ByteBuffer.wrap(buf, 0, n));
            }
        }
    }

    @Test
    void signedEventsComeOutVerifyAndATamperedLineIsNamed() throws Exception {
        Ed25519Keys.KeyPairText keys = Ed25519Keys.generate(new SecureRandom());
        Path out = dir.resolve("events.jsonl");
        Path socket = dir.resolve("cell.vsock_9001");
        Process p = listen(Map.of("CELLOS_HOST_TELEMETRY_SIGN_ALG", "ed25519", "CELLOS_HOST_TELEMETRY_SIGN_KID", "k1",
                        "CELLOS_HOST_TELEMETRY_SIGN_ED25519_KEY", keys.privateKey()),
                "--uds", dir.resolve("cell.vsock").toString(), "--cell-id", "c1", "--run-id", "r1",
                "--keepalive", "1s", "--out", out.toString());
        try {
            sendFiveSpawns(socket, SESSION);
            // five guest events, then the keep-alive window passes: agent_silenced
            Await.fileText(out, t -> t.lines().count() >= 6, PATIENCE, "6 events");
        } finally {
            p.destroy(); // SIGTERM
        }
        assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        assertEquals(0, p.exitValue(), stderr);
        assertTrue(stderr.contains("listening on " + socket) && stderr.contains("(signed)"), stderr);
        assertTrue(stderr.contains("stopped; 1 connections, 5 frames turned into events"), stderr);
        assertFalse(Files.exists(socket), "the socket is unlinked on exit");
        List<String> events = lines(out);
        assertEquals(7, events.size(), String.join("\n", events));
        assertTrue(events.get(5).contains("agent_silenced"));
        assertTrue(events.get(6).contains("\"type\":\"cell.observability.guest.record_closed\""), events.get(6));
        assertTrue(events.get(6).contains("\"frames_received\":5"), events.get(6));

        Run ok = Run.of("", "events", "verify", out.toString(), "--alg", "ed25519", "--public-key", keys.publicKey(),
                "--kid", "k1");
        assertEquals(0, ok.status(), ok.out() + ok.err());
        assertTrue(ok.out().contains("verified 7 events in " + out + "; 1 cell chain whole from the first event"), ok.out());
        assertTrue(ok.out().contains("  cell c1 run r1: 7 events, the last r1/closed, closed by the receiver"), ok.out());

        // its end cut off: still whole from the first event, but open, which --require-closed refuses
        Path shortened = dir.resolve("shortened.jsonl");
        Files.write(shortened, events.subList(0, 5), StandardCharsets.UTF_8);
        Run open = Run.of("", "events", "verify", shortened.toString(), "--alg", "ed25519", "--public-key",
                keys.publicKey());
        assertEquals(0, open.status(), open.out());
        assertTrue(open.out().contains("cell c1 run r1: 5 events, the last r1/c1/f5, open: no record_closed at its end"),
                open.out());
        Run required = Run.of("", "events", "verify", shortened.toString(), "--alg", "ed25519", "--public-key",
                keys.publicKey(), "--require-closed");
        assertEquals(1, required.status(), required.out());
        assertTrue(required.out().endsWith("--require-closed: 1 chain is open\n"), required.out());
        Run whole = Run.of("", "events", "verify", out.toString(), "--alg", "ed25519", "--public-key", keys.publicKey(),
                "--require-closed");
        assertEquals(0, whole.status(), whole.out());

        List<String> thinned = new ArrayList<>(events);
        thinned.remove(2);
        Path cut = dir.resolve("thinned.jsonl");
        Files.write(cut, thinned, StandardCharsets.UTF_8);
        Run broken = Run.of("", "events", "verify", cut.toString(), "--alg", "ed25519", "--public-key", keys.publicKey());
        assertEquals(1, broken.status(), broken.out());
        assertTrue(broken.out().startsWith(cut + ":3: missing_predecessor: cell c1 run r1, event r1/c1/f4: it links to sha256:"),
                broken.out());
        Run signaturesOnly = Run.of("", "events", "verify", cut.toString(), "--alg", "ed25519", "--public-key",
                keys.publicKey(), "--signatures-only");
        assertEquals(0, signaturesOnly.status(), signaturesOnly.out());
        assertTrue(signaturesOnly.out().contains("verified 6 events in " + cut + " (signatures only, chains not checked)"),
                signaturesOnly.out());

        List<String> tampered = new ArrayList<>(events);
        tampered.set(2, tampered.get(2).replace("\"guest_pid\":102", "\"guest_pid\":103"));
        Path bad = dir.resolve("tampered.jsonl");
        Files.write(bad, tampered, StandardCharsets.UTF_8);
        Run fail = Run.of("", "events", "verify", bad.toString(), "--alg", "ed25519", "--public-key", keys.publicKey());
        assertEquals(1, fail.status());
        assertTrue(fail.out().contains(bad + ":3: bad_signature"), fail.out());
    }

    @Test
    void compatibilityModeSaysWhatItGivesAwayAndStampsASessionlessCell() throws Exception {
        Path out = dir.resolve("events.jsonl");
        Process p = listen(Map.of(), "--uds", dir.resolve("cell.vsock").toString(), "--cell-id", "c1", "--run-id", "r1",
                "--out", out.toString(), "--accept-sessionless-agents");
        try {
            sendFiveSpawns(dir.resolve("cell.vsock_9001"), null); // a CellOS 0.5 agent
            Await.fileText(out, t -> t.lines().count() >= 5, PATIENCE, "5 events");
        } finally {
            p.destroy();
        }
        assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        assertEquals(0, p.exitValue(), stderr);
        assertTrue(stderr.contains("any process in that guest can send frames that pass as the agent's"), stderr);
        for (String line : lines(out)) {
            assertTrue(line.contains("\"session_check\":\"none (CellOS 0.5 agent, compatibility mode)\""), line);
        }
    }

    /**
     * {@code host listen --format ocsf} into JetStream, signed: the lines verify as any others and
     * are valid OCSF; {@code events tail --format ocsf} prints them as stored, converts the events
     * another listener published in its own format, and names what it cannot read (exit 1).
     */
    @Test
    void ocsfEventsArePublishedSignedAndTailConvertsTheReceiversOwn() throws Exception {
        Ed25519Keys.KeyPairText keys = Ed25519Keys.generate(new SecureRandom());
        Map<String, String> signing = Map.of("CELLOS_HOST_TELEMETRY_SIGN_ALG", "ed25519",
                "CELLOS_HOST_TELEMETRY_SIGN_KID", "k1", "CELLOS_HOST_TELEMETRY_SIGN_ED25519_KEY", keys.privateKey());
        OcsfValidator validator = new OcsfValidator(new OcsfSchema());
        try (NatsServer nats = NatsServer.start()) {
            String url = nats.url("/OC");
            for (String[] cell : List.of(new String[]{"own", "cloudevents"}, new String[]{"ocsf", "ocsf"})) {
                Process p = listen(signing, "--uds", dir.resolve(cell[0] + ".vsock").toString(), "--cell-id", cell[0],
                        "--run-id", "r1", "--keepalive", "1h", "--out", url, "--format", cell[1]);
                try {
                    sendFiveSpawns(dir.resolve(cell[0] + ".vsock_9001"), SESSION);
                } finally {
                    p.destroy();
                }
                assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), Files.readString(dir.resolve("stderr.txt")));
            }
            Run stored = Run.of("", "events", "tail", "--from", url, "--cell", "ocsf");
            assertEquals(6, stored.out().lines().count(), stored.out() + stored.err()); // and record_closed
            Path file = dir.resolve("ocsf.jsonl");
            Files.writeString(file, stored.out());
            Run ok = Run.of("", "events", "verify", file.toString(), "--alg", "ed25519", "--public-key", keys.publicKey());
            assertEquals(0, ok.status(), ok.out() + ok.err());

            try (io.nats.client.Connection c = io.nats.client.Nats.connect("nats://127.0.0.1:" + nats.port())) {
                c.jetStream().publish("cellos.events.junk.x", "not an event".getBytes(StandardCharsets.UTF_8));
            }
            Run tail = Run.of("", "events", "tail", "--from", url, "--format", "ocsf");
            assertEquals(1, tail.status(), tail.err());
            assertTrue(tail.err().contains("an event not written as ocsf: not JSON"), tail.err());
            List<String> lines = tail.out().lines().toList();
            assertEquals(12, lines.size(), tail.out());
            ObjectMapper json = new ObjectMapper();
            for (String line : lines) {
                JsonNode e = json.readTree(line);
                assertEquals(List.of(), validator.errors(e.get("data")), line);
                assertEquals(e.at("/type").asText().endsWith("record_closed") ? 99 : 100701,
                        e.at("/data/type_uid").asLong(), line);
                assertEquals(e.at("/data/unmapped/cell_id").asText().equals("ocsf"), e.has("sig"),
                        "stored OCSF keeps its signature; converted events are unsigned without a key: " + line);
            }
            assertEquals(stored.out().lines().toList(), lines.stream().filter(l -> l.contains("urn:cellos:cell:ocsf"))
                    .toList(), "what is OCSF already is printed as stored");
            assertTrue(Run.of("", "events", "tail", "--from", url, "--cell", "own").out().contains("\"guest_pid\":100"),
                    "without --format the receiver's own events are printed as stored");
        }
    }

    @Test
    void signedEventsPublishedToNatsAreReadBackByTailAndVerify() throws Exception {
        Ed25519Keys.KeyPairText keys = Ed25519Keys.generate(new SecureRandom());
        Path socket = dir.resolve("cell.vsock_9001");
        try (NatsServer nats = NatsServer.start()) {
            String url = nats.url("/HL");
            Process p = listen(Map.of("CELLOS_HOST_TELEMETRY_SIGN_ALG", "ed25519", "CELLOS_HOST_TELEMETRY_SIGN_KID", "k1",
                            "CELLOS_HOST_TELEMETRY_SIGN_ED25519_KEY", keys.privateKey()),
                    "--uds", dir.resolve("cell.vsock").toString(), "--cell-id", "c1", "--run-id", "r1",
                    "--keepalive", "1s", "--out", url);
            try {
                sendFiveSpawns(socket, SESSION);
                Process tail = cellos(List.of("events", "tail", "--from", url, "--follow"), "tail-stderr.txt").start();
                try {
                    Await.lines(tail, 6, PATIENCE, "6 events in the stream");
                } finally {
                    tail.destroy();
                }
            } finally {
                p.destroy(); // SIGTERM
            }
            assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            String stderr = Files.readString(dir.resolve("stderr.txt"));
            assertEquals(0, p.exitValue(), stderr);
            assertTrue(stderr.contains("created JetStream stream HL") && stderr.contains("events to NATS " + url), stderr);
            assertFalse(stderr.contains("could not be delivered"), stderr);

            Run all = Run.of("", "events", "tail", "--from", url, "--cell", "c1");
            assertEquals(0, all.status(), all.err());
            assertEquals(7, all.out().lines().count(), all.out());
            assertTrue(all.out().lines().toList().get(5).contains("agent_silenced"), all.out());
            assertTrue(all.out().lines().toList().get(6).contains("record_closed"), all.out());
            Run spawned = Run.of("", "events", "tail", "--from", url, "--type", "process.spawned");
            assertEquals(5, spawned.out().lines().count(), spawned.out());
            assertEquals("", Run.of("", "events", "tail", "--from", url, "--cell", "other").out());

            // the whole cell read back from JetStream: every event, one chain
            Path read = dir.resolve("from-nats.jsonl");
            Files.writeString(read, all.out());
            Run ok = Run.of("", "events", "verify", read.toString(), "--alg", "ed25519", "--public-key", keys.publicKey(),
                    "--kid", "k1");
            assertEquals(0, ok.status(), ok.out() + ok.err());
            assertTrue(ok.out().contains("verified 7 events") && ok.out().contains("cell c1 run r1: 7 events, the last "
                    + "r1/closed, closed by the receiver"), ok.out());

            // an extract of one type lacks the cell's first events: its signatures verify, its chain does not
            Run silenced = Run.of("", "events", "tail", "--from", url, "--type", "agent_silenced");
            Path extract = dir.resolve("silenced.jsonl");
            Files.writeString(extract, silenced.out());
            Run headless = Run.of("", "events", "verify", extract.toString(), "--alg", "ed25519", "--public-key",
                    keys.publicKey());
            assertEquals(1, headless.status(), headless.out());
            assertTrue(headless.out().startsWith(extract + ":1: missing_first: cell c1 run r1, event r1/silenced"),
                    headless.out());
            Run signaturesOnly = Run.of("", "events", "verify", extract.toString(), "--alg", "ed25519", "--public-key",
                    keys.publicKey(), "--signatures-only");
            assertEquals(0, signaturesOnly.status(), signaturesOnly.out());
        }
    }

    @Test
    void metricsServedOnLoopbackCountWhatTheGuestSent() throws Exception {
        Path out = dir.resolve("events.jsonl");
        Process p = listen(Map.of(), "--uds", dir.resolve("cell.vsock").toString(), "--cell-id", "c1", "--run-id", "r1",
                "--out", out.toString(), "--metrics", "127.0.0.1:0");
        String metrics;
        try {
            sendFiveSpawns(dir.resolve("cell.vsock_9001"), SESSION);
            Await.fileText(out, t -> t.lines().count() >= 5, PATIENCE, "5 events");
            String stderr = Files.readString(dir.resolve("stderr.txt"));
            Matcher url = Pattern.compile("; metrics at (http://127\\.0\\.0\\.1:[0-9]+/metrics);").matcher(stderr);
            assertTrue(url.find(), stderr);
            try (HttpClient http = HttpClient.newHttpClient()) {
                metrics = http.send(HttpRequest.newBuilder(URI.create(url.group(1))).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            }
        } finally {
            p.destroy();
        }
        assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("stderr.txt")));
        List<String> samples = metrics.lines().filter(l -> !l.startsWith("#")).toList();
        for (String expected : List.of("cellos_receiver_cells_bound 1.0",
                "cellos_receiver_connections_accepted_total{port=\"9001\"} 1.0",
                "cellos_receiver_frames_accepted_total{probe_source=\"process.spawned\"} 5.0",
                "cellos_receiver_cell_frames_accepted_total{cell_id=\"c1\"} 5.0",
                "cellos_receiver_events_total 5.0",
                "cellos_receiver_frames_refused_total{cause=\"zero_length\"} 0.0")) {
            assertTrue(samples.contains(expected), expected + " in\n" + metrics);
        }
    }

    @Test
    void aBadMetricsAddressOrAPortInUseIsRefusedBeforeListening() throws Exception {
        Run bad = Run.of("", "host", "listen", "--uds", dir.resolve("c").toString(), "--cell-id", "c1", "--run-id", "r1",
                "--metrics", "9464");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--metrics '9464' is not HOST:PORT (for example 127.0.0.1:9464"), bad.err());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Run inUse = Run.of("", "host", "listen", "--uds", dir.resolve("c").toString(), "--cell-id", "c1",
                    "--run-id", "r1", "--metrics", address);
            assertEquals(2, inUse.status());
            assertTrue(inUse.err().contains("--metrics " + address + ": cannot serve metrics on " + address
                    + ": Address already in use"), inUse.err());
        }
        assertFalse(Files.exists(dir.resolve("c_9001")), "nothing is left listening");
    }

    @Test
    void aNatsTargetThatCannotBeUsedIsRefusedBeforeListening() throws Exception {
        Run bad = Run.of("", "host", "listen", "--uds", dir.resolve("c").toString(), "--cell-id", "c1", "--run-id", "r1",
                "--out", "nats://127.0.0.1:4222/a.b");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--out: stream name 'a.b'"), bad.err());
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Run down = Run.of("", "host", "listen", "--uds", dir.resolve("c").toString(), "--cell-id", "c1", "--run-id", "r1",
                "--out", "nats://127.0.0.1:" + port);
        assertEquals(2, down.status());
        assertTrue(down.err().contains("cannot reach NATS at nats://127.0.0.1:" + port)
                && down.err().contains("nats-server -js"), down.err());
        assertFalse(Files.exists(dir.resolve("c_9001")), "nothing was bound");
        Run tail = Run.of("", "events", "tail", "--from", "nats://127.0.0.1:" + port);
        assertEquals(1, tail.status());
        assertTrue(tail.err().contains("cannot reach NATS"), tail.err());
        assertEquals(2, Run.of("", "events", "tail").status(), "--from is required");
    }

    @Test
    void aBadSigningSetupIsRefusedBeforeListening() throws Exception {
        Process p = listen(Map.of("CELLOS_HOST_TELEMETRY_SIGN_ALG", "rsa"), "--uds", dir.resolve("c").toString(),
                "--cell-id", "c1", "--run-id", "r1");
        assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        assertTrue(stderr.contains("CELLOS_HOST_TELEMETRY_SIGN_ALG"), stderr);
        assertFalse(Files.exists(dir.resolve("c_9001")));
    }

    @Test
    void missingOptionsAreNamed() {
        Run r = Run.of("", "host", "listen", "--uds", dir.resolve("c").toString(), "--cell-id", "c1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--run-id is required"), r.err());
        Run bad = Run.of("", "host", "listen", "--uds", dir.resolve("c").toString(), "--cell-id", "c.1", "--run-id", "r");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("invalid cell id"), bad.err());
        Run keep = Run.of("", "host", "listen", "--uds", dir.resolve("c").toString(), "--cell-id", "c", "--run-id", "r",
                "--keepalive", "ten");
        assertEquals(2, keep.status());
        assertTrue(keep.err().contains("500ms, 10s"), keep.err());
    }
}
