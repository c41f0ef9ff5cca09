package io.cellos.telemetry.host;

import java.nio.file.Path;

/**
 * A bound cell, as its supervisor holds it. Closing it stops the listener, handles what open
 * connections already sent, reports outstanding drops and unlinks the socket.
 *
 * <p>Thread-safe; {@link #close} is idempotent.
 */
public final class CellHandle implements AutoCloseable {
    private final Receiver receiver;
    private final EventLoop loop;
    private final Cell cell;
    private final Path socketPath;
    private boolean closed;

    CellHandle(Receiver receiver, EventLoop loop, Cell cell, Path socketPath) {
        this.receiver = receiver;
        this.loop = loop;
        this.cell = cell;
        this.socketPath = socketPath;
    }

    /** The socket the guest's frames arrive on: {@code <uds>_9001}. */
    public Path socketPath() {
        return socketPath;
    }

    /** The attribution given at bind time. */
    public CellStamp stamp() {
        return cell.stamp();
    }

    /** The cell's counters now. */
    public CellStats stats() {
        return loop.call(cell::stats);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.call(() -> {
            loop.remove(cell);
            return null;
        });
        receiver.forget(this);
    }
}
