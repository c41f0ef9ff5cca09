package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.OcsfSchema;
import io.cellos.telemetry.host.event.OcsfValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cell run --format ocsf}, as root: a real local cell's whole event log is OCSF 1.8, every
 * event valid against the schema's own files ({@link OcsfValidator}), with the classes its
 * workload's processes, connect and file write map to; and the option refuses what it cannot do.
 */
class OcsfCellTest {
    private static final OcsfValidator VALIDATOR = new OcsfValidator(new OcsfSchema());

    @TempDir
    Path tmp;

    @Test
    void aRealCellsEventsAreValidOcsf() throws Exception {
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        CellProcess c = CellProcess.run(tmp, p -> { }, "cell", "run", "--dir", tmp.toString(), "--format", "ocsf",
                "--watch", watched.toString(), "--", "/bin/sh", "-c",
                "echo hello > " + watched.resolve("out.txt") + "; python3 -c 'import socket\n"
                        + "s = socket.socket()\ntry:\n    s.connect((\"127.0.0.1\", 9))\nexcept OSError:\n    pass'");
        assertEquals(0, c.status(), c.toString());
        assertFalse(c.events().isEmpty(), c.toString());
        for (JsonNode e : c.events()) {
            assertEquals(List.of(), VALIDATOR.errors(e.get("data")), e.toString());
            assertTrue(e.path("dataschema").asText().startsWith("https://schema.ocsf.io/1.8.0/classes/"), e.toString());
            assertEquals(e.get("id").asText(), e.at("/data/metadata/uid").asText());
        }
        Set<Long> types = c.events().stream().map(e -> e.at("/data/type_uid").asLong()).collect(Collectors.toSet());
        for (long t : List.of(100701L, 100702L, 400101L, 100103L)) {
            assertTrue(types.contains(t), "type_uid " + t + " among " + types + ": " + c);
        }
        assertTrue(c.events().stream().anyMatch(e -> e.at("/data/type_uid").asLong() == 400101
                        && e.at("/data/dst_endpoint/ip").asText().equals("127.0.0.1")
                        && e.at("/data/dst_endpoint/port").asInt() == 9), c.toString());
        assertTrue(c.events().stream().anyMatch(e -> e.at("/data/type_uid").asLong() == 100103
                && e.at("/data/file/path").asText().equals(watched.resolve("out.txt").toString())), c.toString());
        assertTrue(c.out().contains("connect"), "the summary is made from the events' facts, whatever their format: "
                + c.out());
    }

    @Test
    void anUnknownFormatIsAUsageError() throws Exception {
        CellProcess c = CellProcess.run(tmp, p -> { }, "cell", "run", "--dir", tmp.toString(), "--format", "xml",
                "--", "/bin/true");
        assertEquals(2, c.status(), c.toString());
        assertTrue(c.err().contains("--format: unknown format 'xml': use cloudevents|ocsf"), c.err());
        Run listen = Run.of("", "host", "listen", "--uds", tmp.resolve("c.vsock").toString(), "--cell-id", "c",
                "--run-id", "r", "--format", "OCSF");
        assertEquals(2, listen.status(), listen.toString());
        assertTrue(listen.err().contains("unknown format 'OCSF'"), listen.err());
    }

    @Test
    void attestationNeedsTheReceiversOwnData() throws Exception {
        CellProcess c = CellProcess.run(tmp, p -> { }, "cell", "run", "--dir", tmp.toString(), "--format", "ocsf",
                "--out", tmp.resolve("events.jsonl").toString(), "--attest", tmp.resolve("t.dsse.json").toString(),
                "--", "/bin/true");
        assertEquals(2, c.status(), c.toString());
        assertTrue(c.err().contains("cannot be combined with --format ocsf"), c.err());
    }
}
