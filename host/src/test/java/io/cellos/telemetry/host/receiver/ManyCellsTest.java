package io.cellos.telemetry.host.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** One receiver process serves many cells. */
class ManyCellsTest {
    static final int CELLS = 1_000;

    @TempDir
    Path dir;

    @Test
    void aThousandCellsInOneProcessEachGetAFrameThrough() throws Exception {
        CapturingSink sink = new CapturingSink();
        List<CellHandle> cells = new ArrayList<>();
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5)), sink,
                System.err)) {
            for (int i = 0; i < CELLS; i++) {
                cells.add(receiver.bind(dir.resolve("cell-" + i), new CellStamp("cell-" + i, "run", null)));
            }
            for (int i = 0; i < CELLS; i++) {
                try (GuestClient g = new GuestClient(cells.get(i).socketPath())) {
                    g.send(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, i, "w", i));
                }
            }
            List<JsonNode> events = sink.await(CapturingSink.type("process.spawned"), CELLS, Duration.ofSeconds(60));
            assertEquals(CELLS, events.size());
            for (JsonNode e : events) { // each event came through its own cell's socket, stamped as that cell
                long pid = e.at("/data/guest_pid").asLong();
                assertEquals("cell-" + pid, e.at("/data/cell_id").asText());
                assertEquals("urn:cellos:cell:cell-" + pid, e.get("source").asText());
            }
            Set<String> sources = events.stream().map(e -> e.get("source").asText()).collect(Collectors.toSet());
            assertEquals(CELLS, sources.size());
        }
        for (CellHandle c : cells) {
            assertFalse(Files.exists(c.socketPath()), "closing the receiver unlinks " + c.socketPath());
        }
    }
}
