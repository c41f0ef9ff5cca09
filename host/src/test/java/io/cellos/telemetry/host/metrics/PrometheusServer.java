package io.cellos.telemetry.host.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package; {@code scripts/install-test-deps}
 * installs it) on a loopback port of its own, storing in a directory the test gives it, scraping
 * one target every second: for tests. Without the binary, {@link #start} fails and says so.
 */
final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts Prometheus in {@code dir} (its configuration, storage and log), scraping
     * {@code target}'s {@code /metrics} every second as job {@code cellos}, and waits until it is ready.
     */
    static PrometheusServer start(Path dir, InetSocketAddress target) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: cellos
                    static_configs:
                      - targets: ['%s:%d']
                """.formatted(target.getAddress().getHostAddress(), target.getPort()));
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(List.of(binary(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(p, port, log);
        try {
            server.awaitReady();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static String binary() throws IOException {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            File f = new File(d, "prometheus");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IOException("no prometheus binary on PATH: install Debian's prometheus package "
                + "(scripts/install-test-deps does, as root)");
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // a starting server refuses connections and says nothing when it is ready: ask again shortly
            }
            Thread.sleep(100);
        }
        throw new IOException("prometheus was not ready within 60 s: " + Files.readString(log));
    }

    /**
     * The instant query {@code promql} through the HTTP API ({@code /api/v1/query}): its
     * {@code data.result}, an array of {@code {metric, value: [time, "number"]}}.
     */
    JsonNode query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                uri("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IOException("query " + promql + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
        return body.path("data").path("result");
    }

    /** The query's single value, or {@code null} while it has none; more than one series is an error. */
    Double value(String promql) throws IOException, InterruptedException {
        JsonNode result = query(promql);
        if (result.isEmpty()) {
            return null;
        }
        if (result.size() != 1) {
            throw new IllegalStateException(promql + " has " + result.size() + " series: " + result);
        }
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /**
     * Waits until {@code promql} has the value {@code expected}, as Prometheus has scraped it, and
     * returns what it last said (so that a test's assertion shows a value that never came).
     *
     * @param patience real time for scrapes to happen, far beyond the second between them
     */
    Double awaitValue(String promql, double expected, Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        Double v;
        do {
            v = value(promql);
            if (v != null && v == expected) {
                return v;
            }
            Thread.sleep(200); // the next scrape is up to a second away
        } while (System.nanoTime() < deadline);
        return v;
    }

    /** Waits until {@code promql} has a result (rate() needs two scrapes in its window), and returns it. */
    JsonNode awaitResult(String promql, Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        JsonNode result;
        do {
            result = query(promql);
            if (!result.isEmpty()) {
                break;
            }
            Thread.sleep(200); // the next scrape is up to a second away
        } while (System.nanoTime() < deadline);
        return result;
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    /** The metadata Prometheus keeps of the metric family {@code name}: its type, help and unit. */
    JsonNode metadata(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                uri("/api/v1/metadata?metric=" + URLEncoder.encode(name, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("data").path(name);
    }

    /** Stops the server and waits for it to exit (killing it after 30 s). */
    @Override
    public void close() {
        http.close();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
