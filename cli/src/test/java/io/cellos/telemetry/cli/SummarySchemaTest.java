package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docs/cell-summary.schema.json} against {@link SummaryJson}'s documents: every way a run can
 * end conforms, and a document changed in any one of the ways a consumer would be misled by is
 * refused.
 */
class SummarySchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everySummaryConforms() throws IOException {
        for (CellReport r : SampleRuns.all()) {
            String json = json(r);
            assertEquals(List.of(), SummarySchema.errors(json), json);
        }
    }

    @Test
    void aSummaryChangedInAnyOneWayIsRefused() throws IOException {
        String json = json(SampleRuns.everything());
        List<Consumer<ObjectNode>> mutations = List.of(
                s -> s.remove("events"),
                s -> s.put("schema", "cellos.cell-summary/2"),
                s -> s.put("extra", 1),
                s -> s.put("started_at", "yesterday"),
                s -> s.put("cell_id", "c/../x"),
                s -> s.put("duration_ms", "1500"),
                s -> ((ObjectNode) s.get("processes")).put("pid", "1"),
                s -> ((ObjectNode) s.get("processes")).remove("children"),
                s -> ((ObjectNode) s.at("/processes/children/0")).put("parent", 1),
                s -> ((ObjectNode) s.at("/processes/children/0")).put("signal", 9),
                s -> ((ObjectNode) s.at("/processes/children/0")).put("exit_code", 256),
                s -> ((ObjectNode) s.get("workload")).remove("shell_status"),
                s -> ((ObjectNode) s.get("workload")).put("reported", false),
                s -> ((ObjectNode) s.get("workload")).put("never_started", "maybe"),
                s -> ((ObjectNode) s.at("/connections/0")).remove("peer"),
                s -> ((ObjectNode) s.at("/connections/0")).put("socket", "inet raw 6"),
                s -> ((ObjectNode) s.at("/connections/0")).put("sha256", "AB"),
                s -> ((ObjectNode) s.at("/denials/0")).remove("syscall"),
                s -> ((ObjectNode) s.at("/files/0")).remove("at_ns"),
                s -> ((ObjectNode) s.get("drops")).put("guest", -1),
                s -> ((ObjectNode) s.get("drops")).put("lost", 0),
                s -> s.withArray("tampering").add(1));
        for (int i = 0; i < mutations.size(); i++) {
            ObjectNode s = (ObjectNode) JSON.readTree(json);
            mutations.get(i).accept(s);
            assertFalse(SummarySchema.errors(s.toString()).isEmpty(), "mutation " + i + " refused: " + s);
        }
    }

    @Test
    void theSummaryDocumentNamesTheSchemaFile() throws IOException {
        JsonNode schema = JSON.readTree(SummarySchema.FILE.toFile());
        assertEquals(SummaryJson.SCHEMA, schema.at("/properties/schema/const").asText());
        assertTrue(java.nio.file.Files.readString(SummarySchema.FILE.resolveSibling("summary.md"))
                .contains("(cell-summary.schema.json)"));
    }

    static String json(CellReport r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SummaryJson.write(out, r, SampleRuns.FACTS);
        return out.toString(StandardCharsets.UTF_8);
    }
}
