package io.cellos.telemetry.host.sink.nats;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code nats-server} with JetStream, on a loopback port of its own, storing in a directory
 * of its own: for tests. It can be stopped and started again on the same port and store, as an
 * outage would; frozen (SIGSTOP), so that what is sent to it stays unread and unacknowledged for
 * as long as a test needs, however fast the machine; and killed. Needs the {@code nats-server}
 * binary (Debian's package; {@code scripts/install-test-deps} installs it): without it,
 * {@link #start} fails and says so.
 */
public final class NatsServer implements AutoCloseable {
    private final int port;
    private final Path store;
    private final Path log;
    private Process process;
    private boolean frozen;

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

    /**
     * Starts the server (again), on the same port and store, and waits until JetStream answers on
     * it: a publisher that reconnects then finds it whole.
     */
    public void startAgain() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("nats-server is already running");
        }
        String binary = findBinary();
        process = new ProcessBuilder(List.of(binary, "-js", "-a", "127.0.0.1", "-p", Integer.toString(port),
                "-sd", store.toString(), "-l", log.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        frozen = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nats-server exited with " + process.exitValue() + "; see " + log);
            }
            if (jetStreamAnswers()) {
                return;
            }
            // a real process is starting and says nothing when it is ready: look again in a moment
            Thread.sleep(50);
        }
        throw new IOException("nats-server did not answer JetStream requests on port " + port + " within 15 s; see "
                + log);
    }

    private boolean jetStreamAnswers() throws InterruptedException {
        Options options = new Options.Builder().server(url("")).connectionTimeout(Duration.ofMillis(500))
                .maxReconnects(0).errorListener(new ErrorListener() {
                    // a refused connection is the answer "not yet", not an error to print
                }).build();
        try (Connection c = Nats.connect(options)) {
            c.jetStreamManagement().getAccountStatistics();
            return true;
        } catch (IOException | JetStreamApiException | IllegalStateException notYet) {
            return false;
        }
    }

    /**
     * Freezes the server (SIGSTOP) and returns once every thread of it has stopped: from then on it
     * reads, stores and acknowledges nothing until it is {@linkplain #stop stopped}.
     */
    public void freeze() throws IOException, InterruptedException {
        signal("-STOP");
        frozen = true;
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!allStopped(tasks)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("nats-server did not stop within 15 s of SIGSTOP");
            }
            Thread.onSpinWait(); // the kernel stops the threads at once; nothing to wait on but their state
        }
    }

    /** Whether every thread of the process is stopped ({@code T} in its stat line). */
    private static boolean allStopped(Path tasks) throws IOException {
        try (var all = Files.list(tasks)) {
            for (Path t : all.toList()) {
                String stat = Files.readString(t.resolve("stat"));
                if (stat.charAt(stat.lastIndexOf(')') + 2) != 'T') {
                    return false;
                }
            }
        }
        return true;
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /**
     * Kills the server (SIGKILL), frozen or not, and waits for it to be gone: an outage in which it
     * reads, stores and acknowledges nothing more. What it acknowledged is in its store (it writes
     * each message to its file before it acknowledges it).
     */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
        frozen = false;
    }

    /**
     * Stops the server (SIGTERM) and waits for it to exit: an outage. A frozen server is let go on
     * (SIGCONT) after SIGTERM, so that it shuts down as a server does; what it then stores of what
     * was sent to it while frozen, and acknowledges on connections that may be gone, is its own affair.
     */
    public void stop() throws InterruptedException, IOException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (frozen) {
                signal("-CONT");
                frozen = false;
            }
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
