package io.cellos.telemetry.host.metrics;

import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.receiver.CellStats;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverCounts;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Receiver}'s counters as Prometheus metric families, read once per scrape
 * ({@link Receiver#counts}): nothing is counted on the receiver's I/O path for them.
 *
 * <p>Receiver-wide (names as exposed; counters get {@code _total}):
 * <ul>
 * <li>{@code cellos_receiver_cells_bound} (gauge)</li>
 * <li>{@code cellos_receiver_connections_accepted_total{port}}: {@code port} 9001 (telemetry) or 9000 (exit code)</li>
 * <li>{@code cellos_receiver_connections_refused_total{port,cause}}: {@code connection_limit} (9001),
 *     {@code channel_refused} (both)</li>
 * <li>{@code cellos_receiver_frames_accepted_total{probe_source}}: one series per probe source of the protocol</li>
 * <li>{@code cellos_receiver_frames_refused_total{cause}}: one series per refusal cause of protocol.md §3.2,
 *     and {@code closed_mid_frame}</li>
 * <li>{@code cellos_receiver_agent_tampered_total}, {@code cellos_receiver_cells_silenced_total}</li>
 * <li>{@code cellos_receiver_events_total}: events handed to the sink ({@code rate()} of it is events per second)</li>
 * <li>{@code cellos_receiver_sink_backlog_events} (gauge), {@code cellos_receiver_sink_dropped_events_total}</li>
 * </ul>
 * With {@link CellSeries#PER_BOUND_CELL}, for each cell bound now, labelled {@code cell_id}:
 * {@code cellos_receiver_cell_frames_accepted_total}, {@code cellos_receiver_cell_input_dropped_total},
 * {@code cellos_receiver_cell_agent_dropped_events_total} (once the agent reported),
 * {@code cellos_receiver_cell_agent_tampered_total}, {@code cellos_receiver_cell_silenced} (gauge, 0 or 1).
 * Every label's values come from a fixed set but {@code cell_id}'s (see {@link CellSeries}).
 *
 * <p>Thread-safe; a scrape waits up to {@link #PATIENCE} for each I/O thread, and fails (the
 * scraper records the target as down) if one is stuck.
 */
public final class ReceiverMetrics implements MultiCollector {
    /** How long a scrape waits for each of the receiver's I/O threads. */
    public static final Duration PATIENCE = Duration.ofSeconds(5);

    private static final String TELEMETRY_PORT = Integer.toString(Wire.VSOCK_TELEMETRY_PORT);
    private static final String EXIT_PORT = Integer.toString(Wire.VSOCK_EXIT_PORT);

    private final Receiver receiver;
    private final CellSeries cellSeries;

    public ReceiverMetrics(Receiver receiver, CellSeries cellSeries) {
        this.receiver = receiver;
        this.cellSeries = cellSeries;
    }

    @Override
    public MetricSnapshots collect() {
        ReceiverCounts c;
        try {
            c = receiver.counts(PATIENCE);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the receiver's counters could not be read: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the receiver's counters", e);
        }
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        out.metricSnapshot(gauge("cellos_receiver_cells_bound",
                "Cells bound now, each with a telemetry listener (<uds>_9001) that its guest connects to.")
                .dataPoint(gaugePoint(c.cellsBound(), Labels.EMPTY)).build());
        out.metricSnapshot(counter("cellos_receiver_connections_accepted",
                "Connections taken off the cells' sockets, by guest port (9001 telemetry, 9000 exit code), "
                        + "before they are judged: refused ones are counted here too.")
                .dataPoint(counterPoint(c.telemetryConnections(), Labels.of("port", TELEMETRY_PORT)))
                .dataPoint(counterPoint(c.exitConnections(), Labels.of("port", EXIT_PORT))).build());
        long refused = c.dropped().get(DropCause.CHANNEL_REFUSED);
        out.metricSnapshot(counter("cellos_receiver_connections_refused",
                "Connections refused and closed at once, by guest port and cause: connection_limit (the cell "
                        + "already held its maximum), channel_refused (not the agent's or init's, protocol.md 1.3; "
                        + "each also made a channel_refused event).")
                .dataPoint(counterPoint(c.dropped().get(DropCause.CONNECTION_LIMIT),
                        Labels.of("cause", DropCause.CONNECTION_LIMIT.code(), "port", TELEMETRY_PORT)))
                .dataPoint(counterPoint(refused - c.exitChannelRefused(),
                        Labels.of("cause", DropCause.CHANNEL_REFUSED.code(), "port", TELEMETRY_PORT)))
                .dataPoint(counterPoint(c.exitChannelRefused(),
                        Labels.of("cause", DropCause.CHANNEL_REFUSED.code(), "port", EXIT_PORT))).build());
        CounterSnapshot.Builder accepted = counter("cellos_receiver_frames_accepted",
                "Guest frames accepted and turned into events, by the frame's probe_source.");
        for (ProbeSource s : ProbeSource.values()) {
            accepted.dataPoint(counterPoint(c.framesAccepted().get(s), Labels.of("probe_source", s.wireName())));
        }
        out.metricSnapshot(accepted.build());
        CounterSnapshot.Builder frameRefusals = counter("cellos_receiver_frames_refused",
                "Guest frames refused, by cause: the decoder's codes (protocol.md 3.2), and closed_mid_frame "
                        + "(a connection ended inside a frame). Each is also counted in a host-made "
                        + "telemetry.dropped event.");
        for (DropCause d : DropCause.values()) {
            if (d != DropCause.CONNECTION_LIMIT && d != DropCause.CHANNEL_REFUSED) {
                frameRefusals.dataPoint(counterPoint(c.dropped().get(d), Labels.of("cause", d.code())));
            }
        }
        out.metricSnapshot(frameRefusals.build());
        out.metricSnapshot(single("cellos_receiver_agent_tampered",
                "agent.tampered frames accepted: an agent declared a change to its means of observation.",
                c.framesAccepted().get(ProbeSource.AGENT_TAMPERED)));
        out.metricSnapshot(single("cellos_receiver_cells_silenced",
                "Cells that got agent_silenced: no frame accepted for a whole keep-alive window (once per cell at most).",
                c.cellsSilenced()));
        out.metricSnapshot(single("cellos_receiver_events",
                "Events handed to the sink: one per accepted frame, plus the host's own (telemetry.dropped, "
                        + "agent_silenced, channel_refused). Its rate() is events per second.",
                c.events()));
        out.metricSnapshot(gauge("cellos_receiver_sink_backlog_events",
                "Events the sink holds now, neither delivered nor lost yet (NATS: waiting or unacknowledged; "
                        + "JSON lines: 0, it writes at the end of every I/O pass).")
                .dataPoint(gaugePoint(c.sinkBacklog(), Labels.EMPTY)).build());
        out.metricSnapshot(single("cellos_receiver_sink_dropped_events",
                "Events the sink could not deliver: lost, counted, and reported where the sink can.",
                c.sinkLost()));
        if (cellSeries == CellSeries.PER_BOUND_CELL) {
            perCell(c.cells(), out);
        }
        return out.build();
    }

    private static void perCell(List<ReceiverCounts.BoundCell> cells, MetricSnapshots.Builder out) {
        CounterSnapshot.Builder frames = counter("cellos_receiver_cell_frames_accepted",
                "Guest frames accepted from this cell (bound now) and turned into events.");
        CounterSnapshot.Builder dropped = counter("cellos_receiver_cell_input_dropped",
                "Guest input of this cell (bound now) the host discarded, every cause together: refused frames "
                        + "and refused connections.");
        CounterSnapshot.Builder agentDropped = counter("cellos_receiver_cell_agent_dropped_events",
                "The highest dropped_total this cell's agent reported (telemetry.dropped): events it dropped in "
                        + "the guest before sending. Absent until the agent reports one.");
        CounterSnapshot.Builder tampered = counter("cellos_receiver_cell_agent_tampered",
                "agent.tampered frames accepted from this cell (bound now).");
        GaugeSnapshot.Builder silenced = gauge("cellos_receiver_cell_silenced",
                "1 once this cell (bound now) got agent_silenced, else 0.");
        for (ReceiverCounts.BoundCell cell : cells) {
            Labels id = Labels.of("cell_id", cell.stamp().cellId());
            CellStats s = cell.stats();
            frames.dataPoint(counterPoint(s.framesEmitted(), id));
            dropped.dataPoint(counterPoint(s.droppedTotal(), id));
            if (s.agentDroppedTotal() != -1) { // -1: none reported
                // an unsigned 64-bit count; a double holds it to 53 bits, as Prometheus does anyway
                agentDropped.dataPoint(CounterDataPointSnapshot.builder()
                        .value(unsignedToDouble(s.agentDroppedTotal())).labels(id).build());
            }
            tampered.dataPoint(counterPoint(s.tampered(), id));
            silenced.dataPoint(gaugePoint(s.silenced() ? 1 : 0, id));
        }
        out.metricSnapshot(frames.build()).metricSnapshot(dropped.build()).metricSnapshot(agentDropped.build())
                .metricSnapshot(tampered.build()).metricSnapshot(silenced.build());
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0;
    }

    /** A counter of one series, without labels. */
    private static CounterSnapshot single(String name, String help, long value) {
        return counter(name, help).dataPoint(counterPoint(value, Labels.EMPTY)).build();
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static CounterDataPointSnapshot counterPoint(long value, Labels labels) {
        return CounterDataPointSnapshot.builder().value(value).labels(labels).build();
    }

    private static GaugeDataPointSnapshot gaugePoint(long value, Labels labels) {
        return GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
    }
}
