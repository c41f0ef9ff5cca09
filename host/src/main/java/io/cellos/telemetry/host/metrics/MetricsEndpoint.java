package io.cellos.telemetry.host.metrics;

import io.cellos.telemetry.host.receiver.Receiver;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * An HTTP endpoint that serves a registry's metrics at {@code /metrics} (and {@code /}), in the
 * format the scraper asks for (OpenMetrics or Prometheus text): the Prometheus Java client's
 * {@link HTTPServer}, on the JDK's HTTP server, with its own daemon threads.
 *
 * <p>Owns its socket and threads until {@link #close}. Thread-safe.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;
    private final InetSocketAddress address;

    private MetricsEndpoint(HTTPServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /**
     * Serves {@code receiver}'s metrics ({@link ReceiverMetrics}) on {@code address}, in a registry
     * of their own.
     *
     * @throws IOException if the address cannot be bound (a port in use, an address not on this
     *                     host), saying which
     */
    public static MetricsEndpoint serve(Receiver receiver, CellSeries cellSeries, InetSocketAddress address)
            throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ReceiverMetrics(receiver, cellSeries));
        return serve(registry, address);
    }

    /**
     * Serves what {@code registry} collects on {@code address}: for a program that registers
     * {@link ReceiverMetrics} beside metrics of its own.
     *
     * @throws IOException if the address cannot be bound, saying which
     */
    public static MetricsEndpoint serve(PrometheusRegistry registry, InetSocketAddress address) throws IOException {
        HTTPServer server;
        try {
            server = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort()).registry(registry)
                    .buildAndStart();
        } catch (BindException e) {
            throw new IOException("cannot serve metrics on " + text(address) + ": " + e.getMessage()
                    + " (is another process listening on that port, or is the address not this host's?)", e);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + text(address) + ": " + e.getMessage(), e);
        }
        return new MetricsEndpoint(server, new InetSocketAddress(address.getAddress(), server.getPort()));
    }

    /** Where it listens; the port is the one bound (so not 0 when 0 was asked for). */
    public InetSocketAddress address() {
        return address;
    }

    /** {@code http://HOST:PORT/metrics}, for people and scrape configurations. */
    public String url() {
        return "http://" + text(address) + "/metrics";
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Stops listening and the server's threads. */
    @Override
    public void close() {
        server.close();
    }
}
