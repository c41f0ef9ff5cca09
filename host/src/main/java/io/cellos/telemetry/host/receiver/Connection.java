package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.FrameScanner;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One guest connection of a cell: reads the byte stream, cuts it into frames and hands each to
 * its {@link Cell}.
 *
 * <p>A connection is unverified until its first frame: the cell admits it by the session that frame
 * carries ({@link Cell#admit}), or refuses it; a first frame that does not decode refuses it too,
 * since nothing on it can then be verified. A refused connection is closed at once, and nothing
 * read on it after its first frame is decoded into an event or counted. Frames after the first of
 * an admitted connection are trusted; a {@code session} on them means nothing.
 *
 * <p>Owned by the cell's I/O thread, which alone calls it; owns its channel. Memory is bounded: one
 * fixed buffer that holds several whole frames, whatever the guest sends.
 */
final class Connection implements FrameScanner.Handler {
    private static final int BUFFER_BYTES = 16 * Wire.MAX_FRAME_BYTES;

    private final Cell cell;
    private final SocketChannel channel;
    private final long number;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
    private long frames;
    private boolean refused;

    Connection(Cell cell, SocketChannel channel, long number) {
        this.cell = cell;
        this.channel = channel;
        this.number = number;
    }

    SocketChannel channel() {
        return channel;
    }

    /**
     * Reads what is there (one read, for fairness between connections) and handles every whole
     * frame in the buffer.
     *
     * @return {@code false} once the connection is finished and closed
     */
    boolean onReadable() {
        int n;
        try {
            n = channel.read(buf);
        } catch (IOException e) {
            n = -1; // a reset by the peer ends the connection like an orderly close
        }
        if (!drainFrames()) {
            close();
            return false;
        }
        if (n < 0) {
            if (buf.position() > 0) {
                cell.dropped(DropCause.CLOSED_MID_FRAME, "connection " + number + " ended " + buf.position()
                        + " bytes into a frame");
            }
            close();
            return false;
        }
        return true;
    }

    /** Handles the whole frames in the buffer; {@code false} if framing was lost or the connection refused. */
    private boolean drainFrames() {
        byte[] a = buf.array();
        int limit = buf.position();
        int used = FrameScanner.scan(a, 0, limit, this);
        if (used == FrameScanner.FRAMING_LOST || refused) {
            return false;
        }
        System.arraycopy(a, used, a, 0, limit - used);
        buf.position(limit - used);
        return true;
    }

    @Override
    public void onFrame(ProbeEvent event, int offset) {
        if (refused) {
            return; // the rest of a refused connection's buffer
        }
        long frame = ++frames;
        if (frame == 1 && !cell.admit(event, number)) {
            refused = true;
            return;
        }
        cell.accepted(event, number, frame);
    }

    @Override
    public void onRejected(FrameException e, int offset) {
        if (refused) {
            return;
        }
        long frame = ++frames;
        cell.rejected(e, number, frame);
        if (frame == 1) {
            refused = true;
            cell.channelRefused(Wire.VSOCK_TELEMETRY_PORT, number, "its first frame does not decode ("
                    + e.error().code() + "), so nothing on it can be verified");
        }
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            cell.warn("closing connection " + number + ": " + e.getMessage());
        }
        cell.closed(this);
    }
}
