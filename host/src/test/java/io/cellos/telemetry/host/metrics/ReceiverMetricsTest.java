package io.cellos.telemetry.host.metrics;

import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receiver's metrics, scraped over HTTP from a real receiver that was sent real frames over real
 * UNIX sockets ({@link MetricsScenario}): every value is the number the test sent.
 */
class ReceiverMetricsTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir
    Path dir;

    @Test
    void aScrapeSaysExactlyWhatTheCellsWereSent() throws Exception {
        try (MetricsScenario s = new MetricsScenario(dir);
             MetricsEndpoint endpoint = MetricsEndpoint.serve(s.receiver, CellSeries.PER_BOUND_CELL, LOOPBACK_ANY_PORT)) {
            s.play();
            String text = scrape(endpoint, "application/openmetrics-text; version=1.0.0");
            Map<String, Double> m = samples(text);
            long events = s.sink.events().size();

            assertEquals(2, m.get("cellos_receiver_cells_bound"));
            assertEquals(3, m.get("cellos_receiver_connections_accepted_total{port=\"9001\"}"));
            assertEquals(2, m.get("cellos_receiver_connections_accepted_total{port=\"9000\"}"));
            assertEquals(0, m.get("cellos_receiver_connections_refused_total{cause=\"connection_limit\",port=\"9001\"}"));
            assertEquals(1, m.get("cellos_receiver_connections_refused_total{cause=\"channel_refused\",port=\"9001\"}"));
            assertEquals(1, m.get("cellos_receiver_connections_refused_total{cause=\"channel_refused\",port=\"9000\"}"));
            assertEquals(MetricsScenario.SPAWNED,
                    m.get("cellos_receiver_frames_accepted_total{probe_source=\"process.spawned\"}"));
            assertEquals(MetricsScenario.TAMPERED,
                    m.get("cellos_receiver_frames_accepted_total{probe_source=\"agent.tampered\"}"));
            assertEquals(MetricsScenario.AGENT_DROPPED_REPORTS,
                    m.get("cellos_receiver_frames_accepted_total{probe_source=\"telemetry.dropped\"}"));
            assertEquals(0, m.get("cellos_receiver_frames_accepted_total{probe_source=\"process.exec\"}"));
            double acceptedSum = 0;
            for (ProbeSource p : ProbeSource.values()) {
                acceptedSum += m.get("cellos_receiver_frames_accepted_total{probe_source=\"" + p.wireName() + "\"}");
            }
            assertEquals(MetricsScenario.FRAMES_ACCEPTED, acceptedSum, "one series per probe source, summing to what was sent");
            assertEquals(1, m.get("cellos_receiver_frames_refused_total{cause=\"zero_length\"}"));
            assertEquals(1, m.get("cellos_receiver_frames_refused_total{cause=\"closed_mid_frame\"}"));
            assertEquals(0, m.get("cellos_receiver_frames_refused_total{cause=\"frame_too_large\"}"));
            assertEquals(DropCause.values().length - 2, m.keySet().stream()
                    .filter(k -> k.startsWith("cellos_receiver_frames_refused_total{")).count(),
                    "one series per frame refusal cause, present before it happens");
            assertEquals(MetricsScenario.TAMPERED, m.get("cellos_receiver_agent_tampered_total"));
            assertEquals(1, m.get("cellos_receiver_cells_silenced_total"));
            assertEquals(events, m.get("cellos_receiver_events_total"), "every event the sink was handed");
            assertEquals(0, m.get("cellos_receiver_sink_backlog_events"));
            assertEquals(0, m.get("cellos_receiver_sink_dropped_events_total"));

            assertEquals(MetricsScenario.FRAMES_ACCEPTED, m.get("cellos_receiver_cell_frames_accepted_total{cell_id=\"c1\"}"));
            assertEquals(0, m.get("cellos_receiver_cell_frames_accepted_total{cell_id=\"c2\"}"));
            assertEquals(4, m.get("cellos_receiver_cell_input_dropped_total{cell_id=\"c1\"}"));
            assertEquals(MetricsScenario.AGENT_DROPPED_TOTAL,
                    m.get("cellos_receiver_cell_agent_dropped_events_total{cell_id=\"c1\"}"), "the highest reported");
            assertFalse(m.containsKey("cellos_receiver_cell_agent_dropped_events_total{cell_id=\"c2\"}"),
                    "an agent that reported nothing has no series");
            assertEquals(1, m.get("cellos_receiver_cell_agent_tampered_total{cell_id=\"c1\"}"));
            assertEquals(1, m.get("cellos_receiver_cell_silenced{cell_id=\"c1\"}"));
            assertEquals(0, m.get("cellos_receiver_cell_silenced{cell_id=\"c2\"}"));

            assertTrue(text.contains("# TYPE cellos_receiver_frames_refused counter\n"), text);
            assertTrue(text.contains("# HELP cellos_receiver_frames_refused Guest frames refused, by cause"), text);
            assertTrue(text.contains("# TYPE cellos_receiver_cells_bound gauge\n"), text);
            assertTrue(text.endsWith("# EOF\n"), "OpenMetrics, as asked");

            // a closed cell's series go, its counts stay in the receiver's totals
            s.c1.close();
            Map<String, Double> after = samples(scrape(endpoint, "text/plain; version=0.0.4"));
            assertEquals(1, after.get("cellos_receiver_cells_bound"));
            assertEquals(MetricsScenario.SPAWNED,
                    after.get("cellos_receiver_frames_accepted_total{probe_source=\"process.spawned\"}"));
            assertEquals(3, after.get("cellos_receiver_connections_accepted_total{port=\"9001\"}"));
            assertEquals(1, after.get("cellos_receiver_cells_silenced_total"));
            assertFalse(after.keySet().stream().anyMatch(k -> k.contains("cell_id=\"c1\"")), after.toString());
            assertTrue(after.containsKey("cellos_receiver_cell_silenced{cell_id=\"c2\"}"));
        }
    }

    @Test
    void withoutCellSeriesNoSeriesHasACellLabel() throws Exception {
        try (MetricsScenario s = new MetricsScenario(dir);
             MetricsEndpoint endpoint = MetricsEndpoint.serve(s.receiver, CellSeries.OFF, LOOPBACK_ANY_PORT)) {
            s.play();
            String text = scrape(endpoint, "text/plain");
            assertFalse(text.contains("cell_id"), text);
            assertEquals(MetricsScenario.FRAMES_ACCEPTED - MetricsScenario.SPAWNED - MetricsScenario.AGENT_DROPPED_REPORTS,
                    samples(text).get("cellos_receiver_agent_tampered_total"));
        }
    }

    @Test
    void aPortInUseIsRefusedWithTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             MetricsScenario s = new MetricsScenario(dir)) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
            IOException e = assertThrows(IOException.class,
                    () -> MetricsEndpoint.serve(s.receiver, CellSeries.OFF, address));
            assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": "),
                    e.getMessage());
        }
    }

    @Test
    void anAddressIsHostColonPort() {
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9464), MetricsAddress.parse("127.0.0.1:9464"));
        assertEquals(9464, MetricsAddress.parse("[::1]:9464").getPort());
        assertEquals(0, MetricsAddress.parse("localhost:0").getPort());
        for (String bad : new String[]{"9464", ":9464", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:65536", "::1:9464",
                "127.0.0.1:-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    static String scrape(MetricsEndpoint endpoint, String accept) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint.url()))
                    .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return r.body();
        }
    }

    /** Each sample line's series (name and labels as written) and value. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> m = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1))) != null) {
                throw new AssertionError("a series written twice: " + line);
            }
        }
        return m;
    }
}
