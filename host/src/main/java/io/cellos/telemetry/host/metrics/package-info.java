/**
 * The receiver's metrics for Prometheus: {@link io.cellos.telemetry.host.metrics.ReceiverMetrics}
 * turns a receiver's counters into metric families of the official Prometheus Java client, and
 * {@link io.cellos.telemetry.host.metrics.MetricsEndpoint} serves them over HTTP in the
 * OpenMetrics or Prometheus text format, whichever the scraper asks for. Nothing here counts on the
 * receiver's I/O path: each scrape reads the counters the receiver keeps anyway.
 */
package io.cellos.telemetry.host.metrics;
