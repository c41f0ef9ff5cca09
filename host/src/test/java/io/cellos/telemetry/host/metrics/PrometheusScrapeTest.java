package io.cellos.telemetry.host.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real Prometheus server scrapes a real receiver's metrics endpoint, and what its query API says
 * is what the test sent ({@link MetricsScenario}): the exposition is one Prometheus itself reads,
 * names, types and all.
 */
class PrometheusScrapeTest {
    private static final Duration SCRAPES = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void prometheusQueriesTheValuesTheCellsWereSent() throws Exception {
        try (MetricsScenario s = new MetricsScenario(dir);
             MetricsEndpoint endpoint = MetricsEndpoint.serve(s.receiver, CellSeries.PER_BOUND_CELL,
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             PrometheusServer prometheus = PrometheusServer.start(dir, endpoint.address())) {
            // a scrape before anything was sent, so that rate() below sees the counter rise
            assertEquals(0.0, prometheus.awaitValue("cellos_receiver_events_total", 0, SCRAPES), "before");
            s.play();
            double events = s.sink.events().size();
            Map<String, Double> expected = Map.ofEntries(
                    Map.entry("cellos_receiver_cells_bound", 2.0),
                    Map.entry("cellos_receiver_frames_accepted_total{probe_source=\"process.spawned\"}",
                            (double) MetricsScenario.SPAWNED),
                    Map.entry("sum(cellos_receiver_frames_accepted_total)", (double) MetricsScenario.FRAMES_ACCEPTED),
                    Map.entry("cellos_receiver_frames_refused_total{cause=\"zero_length\"}", 1.0),
                    Map.entry("cellos_receiver_frames_refused_total{cause=\"closed_mid_frame\"}", 1.0),
                    Map.entry("sum(cellos_receiver_frames_refused_total)", 2.0),
                    Map.entry("cellos_receiver_connections_accepted_total{port=\"9001\"}", 3.0),
                    Map.entry("cellos_receiver_connections_refused_total{port=\"9000\",cause=\"channel_refused\"}", 1.0),
                    Map.entry("cellos_receiver_agent_tampered_total", (double) MetricsScenario.TAMPERED),
                    Map.entry("cellos_receiver_cells_silenced_total", 1.0),
                    Map.entry("cellos_receiver_events_total", events),
                    Map.entry("cellos_receiver_sink_backlog_events", 0.0),
                    Map.entry("cellos_receiver_sink_dropped_events_total", 0.0),
                    Map.entry("cellos_receiver_cell_agent_dropped_events_total{cell_id=\"c1\"}",
                            (double) MetricsScenario.AGENT_DROPPED_TOTAL),
                    Map.entry("cellos_receiver_cell_silenced{cell_id=\"c1\"}", 1.0),
                    Map.entry("cellos_receiver_cell_silenced{cell_id=\"c2\"}", 0.0),
                    Map.entry("up{job=\"cellos\"}", 1.0));
            for (Map.Entry<String, Double> e : expected.entrySet()) {
                assertEquals(e.getValue(), prometheus.awaitValue(e.getKey(), e.getValue(), SCRAPES), e.getKey());
            }
            // a counter Prometheus can rate(): scraped before and after the frames came
            JsonNode rate = prometheus.awaitResult("rate(cellos_receiver_events_total[1m]) > 0", SCRAPES);
            assertEquals(1, rate.size(), "rate() of the events counter: " + rate);
            System.out.println("prometheus says: rate(cellos_receiver_events_total[1m]) = " + rate);
            JsonNode meta = prometheus.metadata("cellos_receiver_events");
            System.out.println("prometheus says: metadata of cellos_receiver_events = " + meta);
            assertEquals("counter", meta.path(0).path("type").asText(), meta.toString());
            JsonNode series = prometheus.query("cellos_receiver_cell_agent_dropped_events_total");
            assertEquals(1, series.size(), "only the cell whose agent reported: " + series);
            System.out.println("prometheus says: cellos_receiver_cell_agent_dropped_events_total = " + series);
            System.out.println("prometheus says: cellos_receiver_frames_refused_total > 0 = "
                    + prometheus.query("cellos_receiver_frames_refused_total > 0"));
        }
    }
}
