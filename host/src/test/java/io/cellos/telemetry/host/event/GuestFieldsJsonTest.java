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
                        "audit rule removed by pid 812 (auditctl); restored"));
        StringWriter out = new StringWriter();
        ObjectMapper mapper = new ObjectMapper();
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            GuestFieldsJson.write(g, e);
            g.writeEndObject();
        }
        JsonNode data = mapper.readTree(out.toString());
        for (Field f : Field.values()) {
            if (f == Field.SESSION) {
                assertFalse(data.has(f.wireName()), "the session stays off the event: " + data);
            } else {
                assertTrue(data.has(f.wireName()), f.wireName() + " missing from " + data);
            }
        }
        assertEquals("audit rule removed by pid 812 (auditctl); restored", data.get("what").asText());
    }
}
