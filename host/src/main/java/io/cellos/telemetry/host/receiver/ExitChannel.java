package io.cellos.telemetry.host.receiver;

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

/**
 * The host end of a cell's exit-code channel: the UNIX socket {@code <uds>_9000} that a guest's
 * vsock port 9000 arrives on. Init connects before the workload starts, keeps that connection, and
 * writes the workload's wait status on it at the end: 4 bytes, little-endian, then closes.
 *
 * <p>Only the boot's first connection is init's (protocol.md §1.3): every later one is refused at
 * once, unread, since any process in the guest can open this socket. The first one's bytes are
 * hostile input too: a connection that closes after fewer or more than 4 bytes is refused with a
 * reason, not taken as a status. Each refusal is counted and declared into the cell it was bound
 * through ({@link CellHandle#bindExitChannel}) as a {@code channel_refused} event.
 *
 * <p>One daemon thread accepts, a virtual thread reads init's connection; thread-safe;
 * {@link #close} unlinks the socket.
 */
public final class ExitChannel implements AutoCloseable {
    private static final int MAX_REPORT_BYTES = 4;

    private final Path socketPath;
    private final ServerSocketChannel server;
    private final CellHandle cell;
    private final CompletableFuture<WaitStatus> status = new CompletableFuture<>();
    private final Thread acceptor;
    /** Connections accepted so far; read and written by the acceptor thread only. */
    private long connections;

    private ExitChannel(Path socketPath, ServerSocketChannel server, CellHandle cell) {
        this.socketPath = socketPath;
        this.server = server;
        this.cell = cell;
        this.acceptor = Thread.ofPlatform().daemon().name("exit-channel " + socketPath).start(this::acceptLoop);
    }

    /**
     * Binds {@code <udsBase>_9000} for {@code cell}. A socket file left there by a listener that is
     * gone is replaced; a live listener's, or any other kind of file, is an error ({@link ListenerPath}).
     *
     * @throws IOException if the socket cannot be bound, saying what is in the way
     */
    static ExitChannel bind(Path udsBase, CellHandle cell) throws IOException {
        Path path = Receiver.listenerPath(udsBase, Wire.VSOCK_EXIT_PORT).toAbsolutePath();
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ListenerPath.claim(path);
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot bind the exit-code channel " + path + ": " + e.getMessage(), e);
        }
        return new ExitChannel(path, server, cell);
    }

    public Path socketPath() {
        return socketPath;
    }

    /** The status from init's connection, waiting up to {@code patience} for it; empty if none came. */
    public Optional<WaitStatus> await(Duration patience) throws InterruptedException {
        try {
            return Optional.of(status.get(patience.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    cell.warn("the exit-code channel " + socketPath + " cannot accept: " + e.getMessage());
                }
                continue;
            }
            long number = ++connections;
            cell.exitConnectionAccepted();
            if (number == 1) {
                Thread.ofVirtual().start(() -> read(c));
            } else {
                refuseUnread(c, number);
            }
        }
    }

    /** Closes a connection that is not init's before anything on it is read, and declares it. */
    private void refuseUnread(SocketChannel c, long number) {
        try {
            c.close();
        } catch (IOException e) {
            cell.warn("closing refused exit-code connection " + number + ": " + e.getMessage());
        }
        refuse(number, "not init's (init's is the boot's first connection to this port)");
    }

    /** Reads init's report on its own thread, so that a peer that never finishes holds up nothing else. */
    private void read(SocketChannel c) {
        try (c) {
            readReport(c);
        } catch (IOException e) {
            refuse(1, "init's report could not be read: " + e.getMessage());
        }
    }

    private void refuse(long connection, String reason) {
        cell.channelRefused(Wire.VSOCK_EXIT_PORT, connection, reason);
    }

    private void readReport(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_REPORT_BYTES + 1).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining() && c.read(buf) >= 0) {
            // reads until the peer closes, or until one byte more than a report could hold
        }
        if (buf.position() != MAX_REPORT_BYTES) {
            refuse(1, "init's report is " + (buf.position() > MAX_REPORT_BYTES ? "more than 4 bytes"
                    : "only " + buf.position() + " of 4 bytes") + ", so no status is taken from it");
            return;
        }
        status.complete(new WaitStatus(buf.getInt(0)));
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
