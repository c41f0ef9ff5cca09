package io.cellos.telemetry.host.metrics;

/**
 * Whether {@link ReceiverMetrics} exports series labelled by {@code cell_id}.
 *
 * <p>A cell's series exist only while it is bound, so a scrape holds at most one set per cell bound
 * at that moment; but every cell that was ever bound leaves its series in Prometheus's storage. A
 * receiver that serves a fixed, small set of cells ({@code cellos host listen}: one) can afford
 * them; one that binds cell after cell for short jobs should not, and keeps the receiver-wide series
 * only.
 */
public enum CellSeries {
    /** Receiver-wide series only. */
    OFF,
    /** Receiver-wide series, and a set labelled {@code cell_id} for each cell bound now. */
    PER_BOUND_CELL
}
