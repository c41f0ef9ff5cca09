package io.cellos.telemetry.host.sink.nats;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code nats-server} with JetStream, on a loopback port of its own, storing in a directory
 * of its own: for tests. It can be stopped and started again on the same port and store, as an
 * outage would. Needs the {@code nats-server} binary (Debian's package; {@code
 * scripts/install-test-deps} installs it): without it, {@link #start} fails and says so.
 */
public final class NatsServer implements AutoCloseable {
    private final int port;
    private final Path store;
    private final Path log;
    private Process process;

    private NatsServer(int port, Path store) {
        this.port = port;
        this.store = store;
        this.log = store.resolve("nats-server.log");
    }

    /** Starts a server on a free loopback port. */
    public static NatsServer start() throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        NatsServer server = new NatsServer(port, Files.createTempDirectory("cellos-nats-"));
        server.startAgain();
        return server;
    }

    /** {@code nats://127.0.0.1:PORT} with the stream, if any, and options appended as given. */
    public String url(String streamAndOptions) {
        return "nats://127.0.0.1:" + port + streamAndOptions;
    }

    public int port() {
        return port;
    }

    /** Starts the server (again), on the same port and store, and waits until it takes connections. */
    public void startAgain() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("nats-server is already running");
        }
        String binary = findBinary();
        process = new ProcessBuilder(List.of(binary, "-js", "-a", "127.0.0.1", "-p", Integer.toString(port),
                "-sd", store.toString(), "-l", log.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nats-server exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                Thread.sleep(100); // JetStream is up a moment after the client port
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("nats-server did not take connections on port " + port + " within 15 s; see " + log);
    }

    /** Stops the server (SIGTERM) and waits for it to exit: an outage. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        stop();
        try (var paths = Files.walk(store)) {
            paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    private static String findBinary() throws IOException {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin")) {
            Path p = Path.of(dir, "nats-server");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IOException("nats-server is not installed; run scripts/install-test-deps (Debian package nats-server)");
    }
}
