package io.cellos.telemetry.host;

import io.cellos.telemetry.wire.WaitStatus;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host end of a cell's exit-code channel: the UNIX socket {@code <uds>_9000} that a guest's
 * vsock port 9000 arrives on, where init sends the workload's wait status as 4 bytes,
 * little-endian, and closes.
 *
 * <p>The bytes are hostile input: a connection that closes after fewer or more than 4 bytes is
 * refused with a reason, not taken as a status; only the first well-formed report counts, and
 * later ones are counted. One daemon thread accepts, a virtual thread reads each connection; thread-safe; {@link #close} unlinks the socket.
 */
public final class ExitChannel implements AutoCloseable {
    private static final int MAX_REPORT_BYTES = 4;

    private final Path socketPath;
    private final ServerSocketChannel server;
    private final CompletableFuture<WaitStatus> status = new CompletableFuture<>();
    private final Thread acceptor;
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger extraReports = new AtomicInteger();
    private volatile String lastRefusal;

    private ExitChannel(Path socketPath, ServerSocketChannel server) {
        this.socketPath = socketPath;
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("exit-channel " + socketPath).start(this::acceptLoop);
    }

    /**
     * Binds {@code <udsBase>_9000}. A socket file left there by a listener that is gone is replaced;
     * a live listener's, or any other kind of file, is an error ({@link ListenerPath}).
     *
     * @throws IOException if the socket cannot be bound, saying what is in the way
     */
    public static ExitChannel bind(Path udsBase) throws IOException {
        Path path = Receiver.listenerPath(udsBase, Wire.VSOCK_EXIT_PORT).toAbsolutePath();
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ListenerPath.claim(path);
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot bind the exit-code channel " + path + ": " + e.getMessage(), e);
        }
        return new ExitChannel(path, server);
    }

    public Path socketPath() {
        return socketPath;
    }

    /** The status, waiting up to {@code patience} for it; empty if none came. */
    public Optional<WaitStatus> await(Duration patience) throws InterruptedException {
        try {
            return Optional.of(status.get(patience.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Connections refused as malformed, and the reason for the last one ({@code null} if none). */
    public int refused() {
        return refused.get();
    }

    public String lastRefusal() {
        return lastRefusal;
    }

    /** Well-formed reports after the first, which were not taken. */
    public int extraReports() {
        return extraReports.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread.ofVirtual().start(() -> read(c));
            } catch (IOException e) {
                if (server.isOpen()) {
                    refuse("accept: " + e.getMessage());
                }
            }
        }
    }

    /** Reads one report on its own thread, so that a peer that never finishes holds up no other. */
    private void read(SocketChannel c) {
        try (c) {
            readReport(c);
        } catch (IOException e) {
            refuse("read: " + e.getMessage());
        }
    }

    private void refuse(String reason) {
        lastRefusal = reason;
        refused.incrementAndGet();
    }

    private void readReport(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_REPORT_BYTES + 1).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining() && c.read(buf) >= 0) {
            // reads until the peer closes, or until one byte more than a report could hold
        }
        if (buf.position() != MAX_REPORT_BYTES) {
            refuse(buf.position() > MAX_REPORT_BYTES ? "more than 4 bytes" : "only " + buf.position() + " of 4 bytes");
            return;
        }
        if (!status.complete(new WaitStatus(buf.getInt(0)))) {
            extraReports.incrementAndGet();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(1000);
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
