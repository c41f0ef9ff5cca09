package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.event.CellStamp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

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
    private final Path udsBase;
    private final Path socketPath;
    private boolean closed;

    CellHandle(Receiver receiver, EventLoop loop, Cell cell, Path udsBase, Path socketPath) {
        this.receiver = receiver;
        this.loop = loop;
        this.cell = cell;
        this.udsBase = udsBase;
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

    /**
     * Waits until the cell's counters meet {@code condition}, which is tested on the cell's I/O
     * thread now and after each of its passes (so it must be quick and must not block), and returns
     * them: for a supervisor that waits until a cell has handed on what its guest sent, without
     * asking again and again.
     *
     * @param patience how long to wait, in real time
     * @throws TimeoutException if they do not within {@code patience}; the message has the counters
     *                          as they were then
     */
    public CellStats awaitStats(Predicate<CellStats> condition, Duration patience)
            throws InterruptedException, TimeoutException {
        CompletableFuture<CellStats> result = new CompletableFuture<>();
        loop.watch(cell, condition, result);
        try {
            return result.get(patience.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            result.cancel(false);
            throw new TimeoutException("the cell's counters did not meet the condition within " + patience + ": "
                    + stats());
        } catch (ExecutionException e) {
            throw new IllegalStateException("testing the condition failed", e.getCause());
        }
    }

    /**
     * Binds the cell's exit-code channel at {@code <uds>_9000}, the same base as its telemetry. The
     * channel's refusals are counted and declared into this cell as {@code channel_refused} events
     * (port 9000), for as long as the cell is bound. The caller owns the channel and closes it.
     *
     * @throws IOException if the socket cannot be bound, saying what is in the way
     */
    public ExitChannel bindExitChannel() throws IOException {
        return ExitChannel.bind(udsBase, this);
    }

    /** Declares a refused connection into the cell, from any thread (see {@link Cell#channelRefused}). */
    void channelRefused(int port, long connection, String reason) {
        loop.submit(() -> cell.channelRefused(port, connection, reason));
    }

    /** Counts a connection taken off the cell's exit-code socket, from any thread. */
    void exitConnectionAccepted() {
        loop.submit(cell::exitConnectionAccepted);
    }

    /** Tells a problem of the cell's on the receiver's warnings stream, from any thread. */
    void warn(String message) {
        loop.submit(() -> cell.warn(message));
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
