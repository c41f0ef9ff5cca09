package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code frame encode} and {@code frame decode}, the tools for a person debugging a channel. */
class FrameCommandsTest {
    /** protocol.md §6. */
    static final String GOLDEN = "63000000a56f636f6e74656e745f76657273696f6e1901006c70726f62655f736f757263656f70726f636573732e"
            + "737061776e65646967756573745f706964182a6a67756573745f636f6d6d6273687267756573745f6d6f6e6f746f"
            + "6e69635f6e731a3b9aca00";
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void encodePrintsTheGoldenVector() {
        Run r = Run.of("", "frame", "encode", "--source", "process.spawned", "--pid", "42", "--comm", "sh", "--mono",
                "1000000000");
        assertEquals(0, r.status(), r.err());
        assertEquals(GOLDEN + "\n", r.out());
    }

    @Test
    void decodeReadsTheGoldenVectorBrokenOverLines() throws Exception {
        String broken = GOLDEN.substring(0, 92) + "\n" + GOLDEN.substring(92, 184) + "\n" + GOLDEN.substring(184) + "\n";
        Run r = Run.of(broken, "frame", "decode");
        assertEquals(0, r.status(), r.err());
        JsonNode f = JSON.readTree(r.out());
        assertEquals(1, f.get("frame").asInt());
        assertEquals(256, f.get("content_version").asInt());
        assertEquals("process.spawned", f.get("probe_source").asText());
        assertEquals(42, f.get("guest_pid").asInt());
        assertEquals("sh", f.get("guest_comm").asText());
        assertEquals(1_000_000_000L, f.get("guest_monotonic_ns").asLong());
    }

    @Test
    void extensionsRoundTripThroughBothTools() throws Exception {
        Run enc = Run.of("", "frame", "encode", "--source", "net.connect_attempted", "--pid", "7", "--comm",
                "a-very-long-process-name", "--mono", "18446744073709551615", "--ext", "peer=[::1]:8080",
                "--ext", "syscall=42");
        assertEquals(0, enc.status(), enc.err());
        Run dec = Run.of(enc.out(), "frame", "decode");
        assertEquals(0, dec.status(), dec.err());
        JsonNode f = JSON.readTree(dec.out());
        assertEquals(0x0101, f.get("content_version").asInt());
        assertEquals("a-very-long-proc", f.get("guest_comm").asText()); // cut to 16 bytes
        assertEquals("18446744073709551615", f.get("guest_monotonic_ns").asText());
        assertEquals("[::1]:8080", f.get("peer").asText());
        assertEquals(42, f.get("syscall").asInt());
    }

    @Test
    void anExecsCommandLineAndHashRoundTripAndAMalformedHashIsRefused() throws Exception {
        String sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        Run enc = Run.of("", "frame", "encode", "--source", "process.exec", "--pid", "7", "--comm", "sh", "--mono", "1",
                "--ext", "cmdline=sh -c 'echo hi'", "--ext", "sha256=" + sha, "--ext", "path=/bin/sh");
        assertEquals(0, enc.status(), enc.err());
        Run dec = Run.of(enc.out(), "frame", "decode");
        assertEquals(0, dec.status(), dec.err());
        JsonNode f = JSON.readTree(dec.out());
        assertEquals("sh -c 'echo hi'", f.get("cmdline").asText());
        assertEquals(sha, f.get("sha256").asText());

        Run bad = Run.of("", "frame", "encode", "--source", "process.exec", "--pid", "7", "--comm", "sh", "--mono", "1",
                "--ext", "sha256=E3B0");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--ext sha256: sha256 is not 64 lowercase hex digits"), bad.err());
    }

    @Test
    void aConnectsExecutableAndItsHashRoundTrip() throws Exception {
        String sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        Run enc = Run.of("", "frame", "encode", "--source", "net.connect_attempted", "--pid", "7", "--comm", "sshd",
                "--mono", "1", "--ext", "peer=127.0.0.1:22", "--ext", "sha256=" + sha, "--ext", "exe=/usr/bin/python3.13");
        assertEquals(0, enc.status(), enc.err());
        Run dec = Run.of(enc.out(), "frame", "decode");
        assertEquals(0, dec.status(), dec.err());
        JsonNode f = JSON.readTree(dec.out());
        assertEquals("sshd", f.get("guest_comm").asText());
        assertEquals("/usr/bin/python3.13", f.get("exe").asText());
        assertEquals(sha, f.get("sha256").asText());
    }

    @Test
    void aSessionIsEncodedAsItsOwnKeyAndDecodeShowsIt() throws Exception {
        String session = "0123456789abcdef0123456789abcdef";
        Run enc = Run.of("", "frame", "encode", "--source", "agent.heartbeat", "--pid", "2", "--comm", "agent",
                "--mono", "5", "--ext", "session=" + session);
        assertEquals(0, enc.status(), enc.err());
        Run dec = Run.of(enc.out(), "frame", "decode");
        assertEquals(0, dec.status(), dec.err());
        JsonNode f = JSON.readTree(dec.out());
        assertEquals(session, f.get("session").asText());
        assertFalse(f.has("peer"), "the session went into another key: " + f);
        assertEquals(0x0101, f.get("content_version").asInt());
    }

    @Test
    void binaryModeReadsARawCapture() {
        Run enc = Run.of("", "frame", "encode", "--source", "agent.heartbeat", "--pid", "2", "--comm", "agent",
                "--mono", "5");
        byte[] frame = java.util.HexFormat.of().parseHex(enc.out().strip());
        byte[] two = new byte[frame.length * 2];
        System.arraycopy(frame, 0, two, 0, frame.length);
        System.arraycopy(frame, 0, two, frame.length, frame.length);
        Run dec = Run.of(two, "frame", "decode", "--binary");
        assertEquals(0, dec.status(), dec.err());
        assertEquals(2, dec.out().lines().count());
    }

    @Test
    void aRefusedFrameIsNamedWithFieldAndOffsetAndExitsOne() {
        // the golden frame with guest_pid's value turned into a text string "*"
        String bad = GOLDEN.replace("6967756573745f706964182a", "6967756573745f706964612a");
        Run r = Run.of(bad + GOLDEN, "frame", "decode");
        assertEquals(1, r.status());
        assertEquals(1, r.out().lines().count(), "the good frame after the bad one is still decoded");
        assertTrue(r.err().contains("frame 1 at byte 0: wrong_field_type field=guest_pid offset="), r.err());
    }

    @Test
    void aLengthOverTheLimitStopsDecoding() {
        Run r = Run.of("01100000" + GOLDEN, "frame", "decode");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("frame_too_large") && r.err().contains("framing lost"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void anInputEndingInsideAFrameIsReported() {
        Run r = Run.of(GOLDEN.substring(0, 40), "frame", "decode");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("ends 20 bytes into a frame (truncated)"), r.err());
    }

    @Test
    void badInputAndBadOptionsAreUsageErrors() {
        Run notHex = Run.of("zz", "frame", "decode");
        assertEquals(2, notHex.status());
        assertTrue(notHex.err().contains("not a hex digit"), notHex.err());
        Run unknown = Run.of("", "frame", "encode", "--source", "process.spawned", "--pid", "1", "--comm", "x",
                "--mono", "1", "--colour", "red");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown option --colour") && unknown.err().contains("--help"), unknown.err());
        Run badSource = Run.of("", "frame", "encode", "--source", "process.teleported", "--pid", "1", "--comm", "x",
                "--mono", "1");
        assertEquals(2, badSource.status());
        assertTrue(badSource.err().contains("process.spawned"), "lists the valid sources: " + badSource.err());
        Run pid = Run.of("", "frame", "encode", "--source", "process.spawned", "--pid", "4294967296", "--comm", "x",
                "--mono", "1");
        assertEquals(2, pid.status());
        assertTrue(pid.err().contains("at most 4294967295"), pid.err());
    }

    @Test
    void everyCommandHasHelp() {
        Run overview = Run.of("", "--help");
        assertEquals(0, overview.status());
        for (String cmd : new String[] {"host listen", "frame encode", "frame decode", "frame send", "events verify",
                "events keygen"}) {
            assertTrue(overview.out().contains(cmd), cmd);
            String[] words = (cmd + " --help").split(" ");
            Run h = Run.of("", words);
            assertEquals(0, h.status(), cmd);
            assertTrue(h.out().startsWith("Usage: cellos " + cmd), h.out());
        }
        Run none = Run.of("", "frobnicate");
        assertEquals(2, none.status());
        assertTrue(none.err().contains("cellos --help"), none.err());
    }
}
