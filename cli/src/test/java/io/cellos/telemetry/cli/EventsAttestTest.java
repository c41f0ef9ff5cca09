package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.attest.RuntimeTrace;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sign.Ed25519Keys;
import io.cellos.telemetry.host.sign.SigningEnvironment;
import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code events attest} and {@code events verify} on an envelope, cross-checked by sigstore's own
 * DSSE code ({@code @sigstore/core}, from the npm registry, run by Node): the signature over the
 * pre-authentication encoding, and the statement it carries.
 */
class EventsAttestTest {
    private static final Path NODE_MODULES = Path.of("target/sigstore-node/node_modules");
    private static final Path VERIFY_JS = Path.of("src/test/resources/io/cellos/telemetry/cli/dsse_verify.js");
    private static final Ed25519Keys.KeyPairText KEYS = Ed25519Keys.generate(new SecureRandom());
    private static final Map<String, String> ENV = Map.of(SigningEnvironment.ALG, "ed25519", SigningEnvironment.KID,
            "host-test", SigningEnvironment.ED25519_KEY, KEYS.privateKey());

    @TempDir
    Path dir;

    /** Installs {@code @sigstore/core} 1.1.0 (Node 16.14+, as Debian's) into target, once. */
    @BeforeAll
    static void sigstoreCore() throws Exception {
        if (Files.isDirectory(NODE_MODULES.resolve("@sigstore/core"))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "install", "--prefix", "target/sigstore-node", "--no-audit", "--no-fund",
                "--no-save", "@sigstore/core@1.1.0").redirectErrorStream(true).start();
        String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, npm.waitFor(), "npm install @sigstore/core (scripts/install-test-deps installs node and npm):\n" + out);
    }

    @Test
    void aCellsEventsBecomeASignedRuntimeTraceThatSigstoreVerifies() throws Exception {
        Path declared = Files.writeString(dir.resolve("build.log"), "built\n");
        Path events = eventLog(declared);
        Path envelope = dir.resolve("trace.dsse.json");
        Run attest = run(new EventsAttestCommand(ENV), "", events.toString(), "--out", envelope.toString(),
                "--invocation", "https://ci.example/runs/42");
        assertEquals(0, attest.status(), attest.toString());
        assertTrue(attest.err().contains("attested cell c1: 2 processes, 3 connections, 1 file events"), attest.err());

        // sigstore's code verifies our envelope and reads the statement
        String publicSpki = Base64.getUrlEncoder().withoutPadding().encodeToString(
                Ed25519Keys.publicKey(Base64.getUrlDecoder().decode(KEYS.publicKey())).getEncoded());
        Process node = new ProcessBuilder("node", VERIFY_JS.toString(), NODE_MODULES.toAbsolutePath().toString(),
                envelope.toString(), publicSpki).start();
        String statementText = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String nodeErr = new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, node.waitFor(), nodeErr);
        JsonNode st = new ObjectMapper().readTree(statementText);
        assertEquals(RuntimeTrace.STATEMENT_TYPE, st.get("_type").asText());
        assertEquals(RuntimeTrace.PREDICATE_TYPE, st.get("predicateType").asText());
        assertEquals(declared.toString(), st.at("/subject/0/name").asText(), "the declared file is the default subject");
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("built\n".getBytes(StandardCharsets.UTF_8))), st.at("/subject/0/digest/sha256").asText());
        JsonNode p = st.get("predicate");
        assertEquals("https://ci.example/runs/42", p.at("/monitoredProcess/event").asText());
        assertEquals("urn:cellos:cell:c1", p.at("/monitoredProcess/hostID").asText());
        JsonNode curl = p.at("/monitorLog/process/1");
        assertEquals(11, curl.get("pid").asInt());
        assertEquals(10, curl.get("parentPid").asInt());
        assertEquals("/usr/bin/curl", curl.get("processBinary").asText());
        assertEquals("curl https://example.org/", curl.get("commandLine").asText());
        assertEquals(6, curl.get("exitStatus").asInt());
        JsonNode v6 = p.at("/monitorLog/network/0");
        assertEquals("2001:db8::1", v6.get("ip").asText());
        assertEquals(443, v6.get("port").asInt());
        assertEquals("example.org", v6.get("hostname").asText());
        assertEquals(11, v6.at("/invokingProcess/pid").asInt());
        assertEquals(RuntimeTrace.UNKNOWN, v6.get("protocol").asText(), "this event does not say TCP or UDP");
        assertEquals("udp", p.at("/monitorLog/network/2/protocol").asText(), "this one does (eBPF sends it)");
        assertEquals("unix:/run/docker.sock", p.at("/monitorLog/network/1/cellosPeer").asText());
        assertEquals(RuntimeTrace.UNIX, p.at("/monitorLog/network/1/protocol").asText());
        assertTrue(p.at("/monitorLog/network/1/ip").isMissingNode(), "a UNIX peer has no ip");
        assertEquals(st.at("/subject/0/digest/sha256").asText(), p.at("/monitorLog/fileAccess/0/digest/sha256").asText());
        assertEquals("inet raw 6", p.at("/cellosRawSockets/0/socket").asText());
        assertEquals(170, p.at("/cellosDenials/0/syscall").asInt());
        assertEquals(3, p.at("/cellosDrops/guestDroppedTotal").asInt(), "a trace that lost events says how many");

        // and ours verifies it too, or refuses it once changed
        Run verify = run(new EventsVerifyCommand(), "", envelope.toString(), "--alg", "ed25519", "--public-key",
                KEYS.publicKey());
        assertEquals(0, verify.status(), verify.toString());
        assertTrue(verify.out().contains("predicate " + RuntimeTrace.PREDICATE_TYPE), verify.out());
        JsonNode env = new ObjectMapper().readTree(envelope.toFile());
        String forged = env.toString().replace(env.get("payload").asText(), Base64.getEncoder().encodeToString(
                statementText.replace("/usr/bin/curl", "/usr/bin/true").getBytes(StandardCharsets.UTF_8)));
        Run refused = run(new EventsVerifyCommand(), forged, "--alg", "ed25519", "--public-key", KEYS.publicKey());
        assertEquals(1, refused.status(), refused.toString());
        assertTrue(refused.out().contains("does not verify"), refused.out());
    }

    @Test
    void anHmacKeyOrNoSubjectIsRefusedWithWhatToDo() throws Exception {
        Path events = eventLog(dir.resolve("missing.log"));
        Run hmac = run(new EventsAttestCommand(Map.of(SigningEnvironment.ALG, "hmac-sha256", SigningEnvironment.KID, "k",
                SigningEnvironment.HMAC_KEY, "a".repeat(43))), "", events.toString());
        assertEquals(2, hmac.status(), hmac.toString());
        assertTrue(hmac.err().contains("Ed25519"), hmac.err());
        Run noSubject = run(new EventsAttestCommand(ENV), "", events.toString());
        assertEquals(1, noSubject.status(), noSubject.toString());
        assertTrue(noSubject.err().contains("--subject"), noSubject.err());
        Run named = run(new EventsAttestCommand(ENV), "", events.toString(), "--subject", "app.tar=sha256:" + "ab".repeat(32));
        assertEquals(0, named.status(), named.toString());
    }

    /** A cell's log, as the receiver writes it: init 10 runs curl 11, which connects twice, touches {@code declared}. */
    private Path eventLog(Path declared) throws Exception {
        EventProjector p = new EventProjector(new CellStamp("c1", "r1", null), "/c/cell.vsock_9001");
        EventEncoder encoder = new EventEncoder(null);
        Instant at = Instant.parse("2026-12-04T12:00:00Z");
        List<ProbeEvent> guest = List.of(
                ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 10, "init", 1),
                ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 11, "init", 2).withExtensions(Extensions.NONE.withParentPid(10)),
                ProbeEvent.of(ProbeSource.PROCESS_EXEC, 11, "curl", 3).withExtensions(Extensions.NONE.withPath("/usr/bin/curl")
                        .withCmdline("curl https://example.org/").withSha256("cd".repeat(32))),
                ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 11, "curl", 4).withExtensions(Extensions.NONE
                        .withPeer("[2001:db8::1]:443").withHost("example.org").withExe("/usr/bin/curl")),
                ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 11, "curl", 5).withExtensions(Extensions.NONE
                        .withPeer("unix:/run/docker.sock")),
                ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 11, "curl", 5).withExtensions(Extensions.NONE
                        .withPeer("192.0.2.1:53").withProtocol("udp")),
                ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, 11, "curl", 6).withExtensions(Extensions.NONE
                        .withPath(declared.toString())),
                ProbeEvent.of(ProbeSource.NET_RAW_SOCKET_OPENED, 11, "curl", 7).withExtensions(Extensions.NONE
                        .withSocket("inet raw 6")),
                ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 11, "curl", 8).withExtensions(Extensions.NONE.withSyscall(170)),
                ProbeEvent.of(ProbeSource.TELEMETRY_DROPPED, 2, "cellos-agent", 9).withExtensions(Extensions.NONE
                        .withDroppedTotal(3)),
                ProbeEvent.of(ProbeSource.PROCESS_EXITED, 11, "curl", 10).withExtensions(Extensions.NONE.withExitCode(6 << 8)));
        List<String> lines = new ArrayList<>();
        long frame = 0;
        for (ProbeEvent e : guest) {
            lines.add(new String(encoder.encode(p.guest(e, 1, ++frame, at.plusMillis(frame), SessionCheck.PINNED)),
                    StandardCharsets.UTF_8).strip());
        }
        return Files.write(dir.resolve("events.jsonl"), lines);
    }

    private static Run run(Command command, String stdin, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try {
            status = command.run(List.of(args), new Io(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        } catch (io.cellos.telemetry.guest.command.UsageException e) {
            err.writeBytes(e.getMessage().getBytes(StandardCharsets.UTF_8));
            status = 2;
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
