package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

import java.lang.foreign.MemorySegment;

/**
 * Turns the agent's queue into frames on the {@link Link}, never waiting: events are encoded into
 * the {@link FrameBuffer} while it has room and written while the socket takes them.
 *
 * <p>Besides events, two control frames: {@code telemetry.dropped} whenever the drop count has
 * changed (at most every {@link #DROP_REPORT_INTERVAL_NANOS}) and first on every new connection,
 * where it also carries the agent's {@link Session} value; and {@code agent.heartbeat} when
 * nothing else went out for the heartbeat interval. What a broken connection cut, and what is
 * still unsent when the agent stops, is counted as dropped.
 *
 * <p>Time is given to every call ({@code now}, {@link System#nanoTime()}'s clock): the sender
 * reads no clock of its own, so its timing is tested with exact instants.
 *
 * <p>Confined to the agent's loop thread; owns the frame buffer.
 */
final class Sender implements Link.Listener, AutoCloseable {
    static final long DROP_REPORT_INTERVAL_NANOS = 500_000_000L;

    private final EventQueue queue;
    private final long heartbeatNanos;
    private final int pid;
    private final String comm;
    private final String session;
    private final FrameBuffer buffer = new FrameBuffer();
    private final byte[] frame = new byte[Wire.MAX_FRAME_BYTES];
    /** {@link #frame} as a segment, for the copy into the buffer (the copy from a bare array finds its type by reflection). */
    private final MemorySegment frameSegment = MemorySegment.ofArray(frame);
    private final FrameEncoder encoder = new FrameEncoder();
    private long lastSendNanos;
    private long lastReportedDropped = -1;
    private long lastDropReportNanos;
    private boolean reportDropsNow = true;
    /** The next frame is a connection's first: it carries the session. */
    private boolean sessionDue;

    /**
     * @param pid     and {@code comm} name the agent in its control frames
     * @param session the value that proves the agent's connections its own ({@link Session})
     * @param now     the start: the first heartbeat is due a heartbeat interval after it
     */
    Sender(EventQueue queue, long heartbeatNanos, int pid, String comm, String session, long now) {
        this.queue = queue;
        this.heartbeatNanos = heartbeatNanos;
        this.pid = pid;
        this.comm = comm;
        this.session = session;
        this.lastSendNanos = now;
    }

    @Override
    public void connected() {
        reportDropsNow = true;
        sessionDue = true;
    }

    @Override
    public void broken() {
        queue.countDropped(buffer.discard());
    }

    @Override
    public long dropped() {
        return queue.dropped();
    }

    /** Encodes and writes until the socket or the queue has nothing more to take. */
    void pump(long now, Link link) {
        if (!link.isConnected()) {
            return;
        }
        while (true) {
            fill(now);
            if (!buffer.pending()) {
                break;
            }
            long n = link.write(buffer.unsent());
            if (n < 0) {
                return; // broken: the buffer was discarded
            }
            if (n == 0) {
                break;
            }
            buffer.written(n);
            lastSendNanos = now;
        }
        link.wantWritable(buffer.pending());
    }

    /**
     * When the sender next has something to send with no event queued: a heartbeat or a drop
     * report; {@link Long#MAX_VALUE} while frames wait for the socket (its writability wakes the
     * loop, not a timer).
     */
    long nextDue() {
        if (buffer.pending()) {
            return Long.MAX_VALUE;
        }
        long due = queue.size() == 0 ? lastSendNanos + heartbeatNanos : Long.MAX_VALUE;
        if (queue.dropped() != lastReportedDropped) {
            due = Math.min(due, lastDropReportNanos + DROP_REPORT_INTERVAL_NANOS);
        }
        return due;
    }

    /** Whether anything is left to send: queued events, unsent bytes, or a drop report owed. */
    boolean hasWork() {
        return queue.size() > 0 || buffer.pending() || reportDropsNow;
    }

    /** The agent is stopping: a last drop report is owed if the count changed since the last one. */
    void reportDropsAtEnd() {
        if (queue.dropped() != lastReportedDropped) {
            reportDropsNow = true;
        }
    }

    /** The agent has stopped: what is still queued or unsent is dropped. */
    void dropRest() {
        queue.countDropped(queue.size());
        queue.countDropped(buffer.discard());
    }

    /** Events the host received in whole frames on open connections. */
    long delivered() {
        return buffer.delivered();
    }

    /** Moves control frames that are due, then queued events, into the buffer while it has room. */
    private void fill(long now) {
        long dropped = queue.dropped();
        if ((reportDropsNow || dropped != lastReportedDropped && now - lastDropReportNanos >= DROP_REPORT_INTERVAL_NANOS)
                && buffer.room()) {
            control(ProbeSource.TELEMETRY_DROPPED, dropped, now);
            lastReportedDropped = dropped;
            lastDropReportNanos = now;
            reportDropsNow = false;
        }
        while (queue.size() > 0 && buffer.room()) {
            ProbeEvent e = queue.peek();
            queue.remove();
            try {
                buffer.append(frameSegment, encoder.encode(e, frame, 0), true);
            } catch (FrameException tooLarge) {
                queue.countDropped(1);
            }
        }
        if (!buffer.pending() && queue.size() == 0 && now - lastSendNanos >= heartbeatNanos && buffer.room()) {
            control(ProbeSource.AGENT_HEARTBEAT, -1, now);
        }
    }

    private void control(ProbeSource source, long droppedTotal, long now) {
        try {
            encoder.begin(frame, 0, Wire.VERSION_1_0, source, pid, comm, now);
            if (droppedTotal >= 0) {
                encoder.uint(Field.DROPPED_TOTAL, droppedTotal);
            }
            if (sessionDue) { // the drop report goes first on every connection
                encoder.text(Field.SESSION, session);
                sessionDue = false;
            }
            buffer.append(frameSegment, encoder.finish(), false);
        } catch (FrameException e) {
            throw new IllegalStateException("a control frame always fits", e);
        }
    }

    @Override
    public void close() {
        buffer.close();
    }
}
