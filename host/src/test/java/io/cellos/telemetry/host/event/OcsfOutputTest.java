package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.GuestClient;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.EventVerifier;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.WaitStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host's events with {@code --format ocsf}, made by a real receiver from real frames over a
 * real UNIX socket (and its host-made reports), each checked against the OCSF 1.8.0 schema files
 * themselves ({@link OcsfValidator}), with the class and activity protocol.md §7.10 maps it to.
 */
class OcsfOutputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final OcsfValidator VALIDATOR = new OcsfValidator(new OcsfSchema());
    static final Duration PATIENCE = Duration.ofSeconds(20);
    static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    static final CellStamp STAMP = new CellStamp("cell-1", "run-1", "sha256:ab");

    @TempDir
    Path dir;

    /** Every probe source, with the extension keys it can carry, and the type_uid it maps to. */
    static final List<Map.Entry<ProbeEvent, Long>> FRAMES = List.of(
            Map.entry(frame(ProbeSource.PROCESS_SPAWNED, 42, "sh", Extensions.NONE.withParentPid(1)), 100701L),
            Map.entry(frame(ProbeSource.PROCESS_SPAWNED, 43, "", Extensions.NONE), 100701L),
            Map.entry(frame(ProbeSource.PROCESS_EXEC, 42, "curl", Extensions.NONE.withPath("/usr/bin/curl")
                    .withCmdline("curl -s 'https://example.com/a b'").withSha256(SHA)), 100701L),
            Map.entry(frame(ProbeSource.PROCESS_EXITED, 42, "curl",
                    Extensions.NONE.withExitCode(WaitStatus.ofExit(3).raw())), 100702L),
            Map.entry(frame(ProbeSource.PROCESS_EXITED, 44, "sleep", Extensions.NONE.withExitCode(9)), 100702L),
            Map.entry(frame(ProbeSource.PROCESS_EXITED, 45, "odd", Extensions.NONE.withExitCode(0x7f_0000L)), 100702L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 42, "curl", Extensions.NONE.withPeer("93.184.216.34:443")
                    .withHost("example.com").withExe("/usr/bin/curl").withSha256(SHA).withProtocol("tcp")), 400101L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 42, "curl",
                    Extensions.NONE.withPeer("[fe80::1%2]:53").withProtocol("udp")), 400101L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 42, "curl",
                    Extensions.NONE.withPeer("unix:/run/dbus/system_bus_socket").withProtocol("unix")), 400101L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 42, "x", Extensions.NONE.withPeer("999.1.1.1:80")), 400101L),
            Map.entry(frame(ProbeSource.NET_RAW_SOCKET_OPENED, 46, "ping", Extensions.NONE.withSocket("inet raw 1")
                    .withExe("/usr/bin/ping")), 400199L),
            Map.entry(frame(ProbeSource.FS_INOTIFY_FIRED, 47, "tee", Extensions.NONE.withPath("/srv/app/out.txt")
                    .withExe("/usr/bin/tee").withSha256(SHA)), 100103L),
            Map.entry(frame(ProbeSource.FS_INOTIFY_FIRED, 2, "cellos-agent", Extensions.NONE), 100103L),
            Map.entry(frame(ProbeSource.CAPABILITY_DENIED, 48, "mount", Extensions.NONE.withSyscall(165)
                    .withCapability(21).withExe("/usr/bin/mount")), 100304L),
            Map.entry(frame(ProbeSource.CAPABILITY_DENIED, 48, "mount", Extensions.NONE), 100304L),
            Map.entry(frame(ProbeSource.AGENT_TAMPERED, 812, "auditctl",
                    Extensions.NONE.withWhat("audit rule removed by pid 812 (auditctl); restored")), 200401L),
            Map.entry(frame(ProbeSource.TELEMETRY_DROPPED, 2, "cellos-agent", Extensions.NONE.withDroppedTotal(0)), 99L),
            Map.entry(frame(ProbeSource.TELEMETRY_DROPPED, 2, "cellos-agent", Extensions.NONE.withDroppedTotal(-1L)), 99L),
            Map.entry(frame(ProbeSource.AGENT_HEARTBEAT, 2, "cellos-agent", Extensions.NONE), 99L),
            // peers a hostile guest may write, none of them an ip_t: each goes out as a name
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 42, "sctp",
                    Extensions.NONE.withPeer("10.0.0.1:9").withProtocol("132")), 400101L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 42, "x",
                    Extensions.NONE.withPeer("10.0.0.1:9").withProtocol("<b>tcp</b>")), 400101L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 9, "x", Extensions.NONE.withPeer("127.1:80")), 400101L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 9, "x",
                    Extensions.NONE.withPeer("[fe80::1%" + "9".repeat(40) + "]:80")), 400101L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 9, "x", Extensions.NONE.withPeer("[1.2.3.4]:80")), 400101L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 9, "x", Extensions.NONE.withPeer("::1:99999")), 400101L),
            Map.entry(frame(ProbeSource.NET_CONNECT_ATTEMPTED, 9, "x", Extensions.NONE.withPeer(":80")), 400101L));

    static ProbeEvent frame(ProbeSource s, long pid, String comm, Extensions x) {
        return ProbeEvent.of(s, pid, comm, 1_000_000_000L).withExtensions(x);
    }

    @Test
    void everyGuestEventOfARealReceiverIsValidOcsf() throws Exception {
        CapturingSink sink = new CapturingSink();
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5))
                .withFormat(EventFormat.OCSF), sink, System.err)) {
            CellHandle cell = receiver.bind(dir.resolve("cell.vsock"), STAMP);
            try (GuestClient g = new GuestClient(cell.socketPath())) {
                for (Map.Entry<ProbeEvent, Long> f : FRAMES) {
                    g.send(f.getKey());
                }
            }
            sink.await(e -> true, FRAMES.size(), PATIENCE);
            // a stranger in the guest: no session on its first frame, refused and declared
            try (GuestClient stranger = new GuestClient(cell.socketPath(), null)) {
                stranger.send(ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 666, "intruder", 5));
                sink.await(CapturingSink.type("channel_refused"), 1, PATIENCE);
            }
            cell.close(); // the host's drop report for the refusal is sent as the cell closes
            sink.await(e -> e.path("data").path("unmapped").path("origin").asText().equals("host")
                    && e.get("type").asText().endsWith("telemetry.dropped"), 1, PATIENCE);
        }
        List<JsonNode> events = sink.events();
        for (int i = 0; i < FRAMES.size(); i++) {
            JsonNode e = events.get(i);
            valid(e);
            assertEquals(FRAMES.get(i).getValue(), e.at("/data/type_uid").asLong(), e.toString());
            assertEquals("run-1/c1/f" + (i + 1), e.at("/data/metadata/uid").asText());
            assertEquals(e.at("/data/unmapped/probe_source").asText(), FRAMES.get(i).getKey().source().wireName());
        }
        long refused = events.stream().filter(e -> e.get("type").asText().endsWith("channel_refused"))
                .peek(OcsfOutputTest::valid).peek(e -> assertEquals(400105, e.at("/data/type_uid").asLong())).count();
        assertEquals(1, refused);
        assertTrue(events.stream().anyMatch(e -> e.at("/data/unmapped/host_dropped/channel_refused").asLong() == 1),
                "the host's drop report counts the refusal");
        events.forEach(OcsfOutputTest::valid);
    }

    @Test
    void theMappedValuesAreTheFramesValues() throws Exception {
        EventProjector p = new EventProjector(STAMP, "/c/cell.vsock_9001", EventFormat.OCSF);
        Instant at = Instant.parse("2026-11-21T15:04:05.123456Z");
        JsonNode exec = data(p.guest(FRAMES.get(2).getKey(), 1, 3, at, SessionCheck.PINNED));
        assertEquals(at.toEpochMilli(), exec.get("time").asLong());
        assertEquals(3, exec.get("launch_type_id").asInt());
        assertEquals(42, exec.at("/process/pid").asLong());
        assertEquals("curl", exec.at("/process/name").asText());
        assertEquals("/usr/bin/curl", exec.at("/process/file/path").asText());
        assertEquals("curl", exec.at("/process/file/name").asText());
        assertEquals(SHA, exec.at("/process/file/hashes/0/value").asText());
        assertEquals("curl -s 'https://example.com/a b'", exec.at("/process/cmd_line").asText());
        assertEquals("cell-1", exec.at("/device/name").asText());
        assertEquals("run-1", exec.at("/metadata/correlation_uid").asText());
        assertEquals("pinned", exec.at("/unmapped/session_check").asText());
        assertEquals("/c/cell.vsock_9001", exec.at("/unmapped/output/socket").asText());
        assertEquals("sha256:ab", exec.at("/unmapped/spec_signature_hash").asText());

        JsonNode exited = data(p.guest(FRAMES.get(3).getKey(), 1, 4, at, SessionCheck.PINNED));
        assertEquals(3, exited.get("exit_code").asInt());
        assertEquals(256 * 3, exited.at("/unmapped/exit_code").asInt());
        JsonNode killed = data(p.guest(FRAMES.get(4).getKey(), 1, 5, at, SessionCheck.PINNED));
        assertEquals(128 + 9, killed.get("exit_code").asInt());
        assertEquals("signal 9 (SIGKILL)", killed.get("status_detail").asText());
        assertFalse(data(p.guest(FRAMES.get(5).getKey(), 1, 6, at, SessionCheck.PINNED)).has("exit_code"),
                "a value that is no process's end says no exit code");

        JsonNode connect = data(p.guest(FRAMES.get(6).getKey(), 1, 7, at, SessionCheck.PINNED));
        assertEquals("93.184.216.34", connect.at("/dst_endpoint/ip").asText());
        assertEquals(443, connect.at("/dst_endpoint/port").asInt());
        assertEquals("example.com", connect.at("/dst_endpoint/hostname").asText());
        assertEquals("/usr/bin/curl", connect.at("/actor/process/file/path").asText());
        assertEquals("fe80::1%2", data(p.guest(FRAMES.get(7).getKey(), 1, 8, at, null)).at("/dst_endpoint/ip").asText());
        assertEquals("unix:/run/dbus/system_bus_socket",
                data(p.guest(FRAMES.get(8).getKey(), 1, 9, at, null)).at("/dst_endpoint/name").asText());
        assertEquals("999.1.1.1:80", data(p.guest(FRAMES.get(9).getKey(), 1, 10, at, null)).at("/dst_endpoint/name")
                .asText(), "what is not an address goes out as a name, not as an ip");
        assertEquals("tcp", connect.at("/connection_info/protocol_name").asText(), connect.toString());
        assertEquals(6, connect.at("/connection_info/protocol_num").asInt());
        assertEquals(2, connect.at("/connection_info/direction_id").asInt(), "outbound");
        assertEquals(17, data(p.guest(FRAMES.get(7).getKey(), 1, 8, at, null)).at("/connection_info/protocol_num").asInt());
        assertFalse(data(p.guest(FRAMES.get(8).getKey(), 1, 9, at, null)).has("connection_info"), "unix is no IP protocol");
        int sctp = FRAMES.size() - 7;
        JsonNode other = data(p.guest(FRAMES.get(sctp).getKey(), 1, sctp + 1, at, null));
        assertEquals(132, other.at("/connection_info/protocol_num").asInt(), other.toString());
        assertFalse(other.get("connection_info").has("protocol_name"), "no name but IANA's two we know");
        assertFalse(data(p.guest(FRAMES.get(sctp + 1).getKey(), 1, sctp + 2, at, null)).has("connection_info"),
                "a protocol the guest made up is not mapped");
        for (int i = FRAMES.size() - 5; i < FRAMES.size(); i++) {
            JsonNode odd = data(p.guest(FRAMES.get(i).getKey(), 1, i + 1, at, null));
            assertEquals(FRAMES.get(i).getKey().extensions().peer(), odd.at("/dst_endpoint/name").asText());
            assertFalse(odd.get("dst_endpoint").has("ip"), odd.toString());
        }

        JsonNode denied = data(p.guest(FRAMES.get(13).getKey(), 1, 14, at, null));
        assertEquals("syscall 165", denied.at("/kernel/name").asText());
        assertEquals(2, denied.get("status_id").asInt());
        assertEquals(21, denied.at("/unmapped/capability").asInt());
        JsonNode tampered = data(p.guest(FRAMES.get(15).getKey(), 1, 16, at, null));
        assertEquals("audit rule removed by pid 812 (auditctl); restored", tampered.at("/finding_info/desc").asText());
        assertEquals("run-1/c1/f16", tampered.at("/finding_info/uid").asText());
        assertEquals(4, tampered.get("severity_id").asInt());
        assertEquals("18446744073709551615",
                data(p.guest(FRAMES.get(17).getKey(), 1, 18, at, null)).at("/unmapped/dropped_total").asText());
    }

    @Test
    void hostMadeEventsAreValidOcsf() throws Exception {
        EventProjector p = new EventProjector(STAMP, "/c/cell.vsock_9001", EventFormat.OCSF);
        Instant at = Instant.parse("2026-11-21T15:04:05Z");
        long[] counts = new long[DropCause.values().length];
        counts[DropCause.NOT_A_MAP.ordinal()] = 2;
        List<CellEvent> made = new ArrayList<>(List.of(
                p.silenced(at, 10_000, null, 0, SessionCheck.NOT_PINNED_YET),
                p.silenced(at, 10_000, at.minusSeconds(11), 7, SessionCheck.PINNED),
                p.hostDropped(1, at, counts, 5, "connection 1 frame 2: not a map", SessionCheck.PINNED),
                p.hostDropped(2, at, new long[DropCause.values().length], -1, null, SessionCheck.PINNED),
                p.channelRefused(1, at, 9000, 2, "not init's connection", SessionCheck.PINNED),
                new EventProjector(STAMP, null, EventFormat.OCSF).sinkDropped("nats", 1, at,
                        Map.of("sink_overflow", 3L), "buffer full")));
        long[] typeUids = {200401, 200401, 99, 99, 400105, 99};
        for (int i = 0; i < made.size(); i++) {
            JsonNode e = JSON.readTree(new EventEncoder(null).encode(made.get(i)));
            valid(e);
            assertEquals(typeUids[i], e.at("/data/type_uid").asLong());
            assertEquals("host", e.at("/data/unmapped/origin").asText(), "the receiver's own data is kept");
        }
        JsonNode refused = data(made.get(4));
        assertEquals(9000, refused.at("/dst_endpoint/port").asInt());
        assertEquals("not init's connection", refused.get("status_detail").asText());
        assertEquals(3, data(made.get(2)).get("severity_id").asInt(), "a drop report of losses is Medium");
        assertEquals(1, data(made.get(3)).get("severity_id").asInt(), "one of nothing lost is Informational");
    }

    @Test
    void anOcsfEventIsSignedAndVerifiedAsAnyOther() throws Exception {
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
        EventSigner signer = EventSigner.create(SignAlgorithm.HMAC_SHA256, "k1", key);
        EventProjector p = new EventProjector(STAMP, "/c/cell.vsock_9001", EventFormat.OCSF);
        CellEvent e = p.guest(FRAMES.get(2).getKey(), 1, 1, Instant.parse("2026-11-21T15:04:05Z"), SessionCheck.PINNED);
        String line = new String(new EventEncoder(signer).encode(e), StandardCharsets.UTF_8);
        EventVerifier verifier = EventVerifier.create(SignAlgorithm.HMAC_SHA256, key);
        assertTrue(verifier.verify(line).isEmpty());
        valid(JSON.readTree(line));
        assertFalse(verifier.verify(line.replace("/usr/bin/curl", "/usr/bin/wget")).isEmpty());
    }

    @Test
    void theDefaultFormatIsTheReceiversOwnDataWithoutASchema() throws Exception {
        CellEvent e = new EventProjector(STAMP, "/c_9001").guest(FRAMES.get(0).getKey(), 1, 1,
                Instant.parse("2026-11-21T15:04:05Z"), SessionCheck.PINNED);
        JsonNode json = JSON.readTree(new EventEncoder(null).encode(e));
        assertNull(json.get("dataschema"));
        assertEquals(42, json.at("/data/guest_pid").asLong());
    }

    /** The validator is not a rubber stamp: each broken copy of a valid event is refused, saying why. */
    @Test
    void theValidatorRefusesWhatTheSchemaForbids() throws Exception {
        EventProjector p = new EventProjector(STAMP, "/c/cell.vsock_9001", EventFormat.OCSF);
        ObjectNode good = (ObjectNode) data(p.guest(FRAMES.get(6).getKey(), 1, 1, Instant.EPOCH, SessionCheck.PINNED));
        assertEquals(List.of(), VALIDATOR.errors(good));
        Map<String, java.util.function.Consumer<ObjectNode>> breaks = Map.ofEntries(
                Map.entry("required by", d -> d.remove("severity_id")),
                Map.entry("has no attribute", d -> d.put("guest_pid", 42)),
                Map.entry("type_uid", d -> d.put("type_uid", 400102)),
                Map.entry("not one of activity_id", d -> d.put("activity_id", 42).put("type_uid", 400142)),
                Map.entry("category_uid", d -> d.put("category_uid", 1)),
                Map.entry("no class", d -> d.put("class_uid", 4242)),
                Map.entry("regex", d -> ((ObjectNode) d.get("dst_endpoint")).put("ip", "999.1.1.1")),
                Map.entry("range", d -> ((ObjectNode) d.get("dst_endpoint")).put("port", 70000)),
                Map.entry("needs a 64-bit integer", d -> d.put("time", "yesterday")),
                Map.entry("caption", d -> d.put("severity", "Critical")),
                Map.entry("metadata.profiles does not name", d -> ((ObjectNode) d.get("metadata")).putArray("profiles")),
                Map.entry("at_least_one", d -> ((ObjectNode) d.get("actor")).remove("process")),
                Map.entry("metadata.version", d -> ((ObjectNode) d.get("metadata")).put("version", "1.7.0")),
                Map.entry("algorithm_id", d -> ((ObjectNode) d.at("/actor/process/file/hashes/0")).put("algorithm_id", 77)));
        for (Map.Entry<String, java.util.function.Consumer<ObjectNode>> b : breaks.entrySet()) {
            ObjectNode broken = good.deepCopy();
            b.getValue().accept(broken);
            List<String> errors = VALIDATOR.errors(broken);
            assertTrue(errors.stream().anyMatch(s -> s.contains(b.getKey())), b.getKey() + ": " + errors);
        }
    }

    /** protocol.md §7.10's table says of each event the class, activity and type_uid the code gives it. */
    @Test
    void theProtocolsTableIsTheMapping() throws Exception {
        String doc = java.nio.file.Files.readString(Path.of("..", "docs", "protocol.md"));
        String section = doc.substring(doc.indexOf("### 7.10 OCSF"), doc.indexOf("## 8. Compatibility"));
        Map<String, String[]> rows = new java.util.HashMap<>();
        for (String line : section.lines().filter(l -> l.startsWith("| `")).toList()) {
            String[] cells = line.split(" \\| ");
            rows.put(cells[0].substring(3, cells[0].indexOf('`', 3)), cells);
        }
        Map<String, OcsfActivity> expected = new java.util.HashMap<>();
        for (ProbeSource source : ProbeSource.values()) {
            expected.put(source.wireName(), OcsfActivity.of(new EventFacts.Guest(ProbeEvent.of(source, 1, "x", 1), 1, 1)));
        }
        expected.put("agent_silenced", OcsfActivity.of(new EventFacts.AgentSilenced(1, null, 0)));
        expected.put("channel_refused", OcsfActivity.of(new EventFacts.ChannelRefused(9001, 1, "r")));
        for (Map.Entry<String, OcsfActivity> e : expected.entrySet()) {
            String[] row = rows.get(e.getKey());
            assertTrue(row != null, "§7.10 has no row for " + e.getKey());
            OcsfActivity a = e.getValue();
            assertTrue(row[1].startsWith(a.ocsfClass().caption() + " (" + a.ocsfClass().uid() + ")"), String.join("|", row));
            assertTrue(row[2].contains("(" + a.id() + ")"), String.join("|", row));
            assertEquals(String.valueOf(a.typeUid()), row[3], String.join("|", row));
            assertTrue(row[4].startsWith(String.valueOf(a.severityId())), String.join("|", row));
        }
    }

    static JsonNode data(CellEvent e) throws Exception {
        return JSON.readTree(new EventEncoder(null).encode(e)).get("data");
    }

    /** {@code e} is a CloudEvent whose data is valid OCSF of the class its dataschema names. */
    static void valid(JsonNode e) {
        JsonNode d = e.get("data");
        assertEquals(List.of(), VALIDATOR.errors(d), e.toString());
        String schema = e.path("dataschema").asText();
        assertTrue(schema.startsWith("https://schema.ocsf.io/1.8.0/classes/"), schema);
        OcsfClass named = java.util.Arrays.stream(OcsfClass.values())
                .filter(c -> c.uid() == d.path("class_uid").asInt()).findFirst().orElseThrow();
        assertEquals(named.schema().toString(), schema);
    }
}
