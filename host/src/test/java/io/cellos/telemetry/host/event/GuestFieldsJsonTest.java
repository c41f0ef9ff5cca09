package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every field a frame can carry reaches the event's data, under its wire name; the session never does. */
class GuestFieldsJsonTest {
    @Test
    void everyFieldButTheSessionIsWritten() throws Exception {
        ProbeEvent e = ProbeEvent.of(ProbeSource.AGENT_TAMPERED, 7, "cellos-agent", 11)
                .withExtensions(new Extensions(1L, 2L, 3L, "/p", "10.0.0.1:1", 4, 5, "0123456789abcdef0123456789abcdef",
                        "audit rule removed by pid 812 (auditctl); restored", "curl -H 'X: ü' https://example.org/",
                        "0123456789abcdef".repeat(4), "example.org", "/usr/bin/python3.13",
                        "packet raw 0x0003", "tcp"));
        JsonNode data = new ObjectMapper().readTree(json(e));
        for (Field f : Field.values()) {
            if (f == Field.SESSION) {
                assertFalse(data.has(f.wireName()), "the session stays off the event: " + data);
            } else {
                assertTrue(data.has(f.wireName()), f.wireName() + " missing from " + data);
            }
        }
        assertEquals("audit rule removed by pid 812 (auditctl); restored", data.get("what").asText());
        assertEquals("curl -H 'X: ü' https://example.org/", data.get("cmdline").asText());
        assertEquals("0123456789abcdef".repeat(4), data.get("sha256").asText());
        assertEquals("example.org", data.get("host").asText());
        assertEquals("/usr/bin/python3.13", data.get("exe").asText());
        assertEquals("packet raw 0x0003", data.get("socket").asText());
    }

    /** The keys come in §4's order, the order of {@link Field}, after the core keys. */
    @Test
    void theExecKeysComeInFieldOrder() throws Exception {
        ProbeEvent e = ProbeEvent.of(ProbeSource.PROCESS_EXEC, 7, "curl", 11).withExtensions(Extensions.NONE
                .withPath("/usr/bin/curl").withCmdline("curl example.org").withSha256("f".repeat(64)));
        assertEquals("{\"content_version\":257,\"probe_source\":\"process.exec\",\"guest_pid\":7,\"guest_comm\":\"curl\","
                + "\"guest_monotonic_ns\":11,\"path\":\"/usr/bin/curl\",\"cmdline\":\"curl example.org\",\"sha256\":\""
                + "f".repeat(64) + "\"}", json(e));
    }

    /** A connect's {@code host}, {@code sha256} and {@code exe} come after its {@code peer}, in Field order. */
    @Test
    void aConnectsProgramComesAfterItsPeerInFieldOrder() throws Exception {
        ProbeEvent e = ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 7, "sshd", 11).withExtensions(Extensions.NONE
                .withPeer("127.0.0.1:22").withHost("example.org").withSha256("f".repeat(64)).withExe("/usr/bin/python3.13"));
        assertEquals("{\"content_version\":257,\"probe_source\":\"net.connect_attempted\",\"guest_pid\":7,"
                + "\"guest_comm\":\"sshd\",\"guest_monotonic_ns\":11,\"peer\":\"127.0.0.1:22\",\"sha256\":\""
                + "f".repeat(64) + "\",\"host\":\"example.org\",\"exe\":\"/usr/bin/python3.13\"}", json(e));
    }

    /** The data object {@link GuestFieldsJson} writes for {@code e}. */
    private static String json(ProbeEvent e) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new ObjectMapper().getFactory().createGenerator(out)) {
            g.writeStartObject();
            GuestFieldsJson.write(g, e);
            g.writeEndObject();
        }
        return out.toString();
    }
}
