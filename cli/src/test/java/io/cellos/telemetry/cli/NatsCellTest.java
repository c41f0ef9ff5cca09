package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.sink.nats.NatsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A local cell (real namespaces, agent, init) whose receiver publishes to a real nats-server. */
class NatsCellTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void everyEventOfALocalCellRunArrivesInJetStreamExactlyOnce() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            String url = nats.url("/CELLS");
            CellProcess c = CellProcess.run(tmp, p -> { }, "cell", "run", "--dir", tmp.toString(), "--cell-id", "natscell",
                    "--out", url, "--", "/bin/sh", "-c", "for i in 1 2 3; do /bin/true; done; exit 3");
            assertEquals(3, c.status(), c.toString());
            assertFalse(Files.exists(tmp.resolve("events.jsonl")), "no event log when the events go to NATS");
            assertTrue(c.out().contains("published to NATS " + url + " (read them with: cellos events tail --from " + url
                    + " --cell natscell)"), c.out());
            assertFalse(c.out().contains("could not be delivered"), c.out());
            Matcher m = Pattern.compile("(?m)^events: (\\d+)$").matcher(c.out());
            assertTrue(m.find(), c.out());
            int emitted = Integer.parseInt(m.group(1));

            Run tail = Run.of("", "events", "tail", "--from", url, "--cell", "natscell");
            assertEquals(0, tail.status(), tail.err());
            List<JsonNode> events = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (String line : tail.out().lines().toList()) {
                JsonNode e = JSON.readTree(line);
                assertTrue(ids.add(e.get("id").asText()), "stored once: " + e.get("id"));
                assertEquals("urn:cellos:cell:natscell", e.get("source").asText());
                events.add(e);
            }
            assertEquals(emitted, events.size(), "every event the receiver emitted is in the stream, once");
            long trues = events.stream().filter(e -> e.get("type").asText().endsWith("process.exec")
                    && e.get("data").path("guest_comm").asText().equals("true")).count();
            assertEquals(3, trues, "the three /bin/true execs");
            assertTrue(events.stream().anyMatch(e -> e.get("type").asText().endsWith("process.exited")
                    && e.get("data").path("exit_code").asInt() == 3 << 8), "the workload's exit (a raw wait status)");

            Run exits = Run.of("", "events", "tail", "--from", url, "--cell", "natscell", "--type", "process.exited");
            assertEquals(events.stream().filter(e -> e.get("type").asText().endsWith("process.exited")).count(),
                    exits.out().lines().count());
        }
    }
}
