package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.Wire;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The agent's output buffer: whole frames, encoded and waiting for the socket, in native memory so
 * that a write takes them without a copy. It remembers where each frame ends and whether it is an
 * event (control frames — drop reports, heartbeats — are not counted as delivered or dropped), so
 * that a write that stops inside a frame and a connection that breaks are accounted exactly: an
 * event is delivered once its last byte was written, and dropped if it was not when the buffer
 * is {@linkplain #discard discarded}.
 *
 * <p>Confined to the agent's loop thread; owns its native memory ({@link #close}).
 */
final class FrameBuffer implements AutoCloseable {
    static final int BYTES = 64 * 1024;
    static final int MAX_FRAMES = 2048;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment out = arena.allocate(BYTES, 8);
    private final int[] frameEnds = new int[MAX_FRAMES];
    private final boolean[] frameIsEvent = new boolean[MAX_FRAMES];
    private int start;
    private int end;
    private int head;
    private int count;
    private long delivered;

    /**
     * Whether one more frame of the largest size fits, after moving what is unsent to the front
     * if that makes room.
     */
    boolean room() {
        if (count == MAX_FRAMES) {
            return false;
        }
        if (BYTES - end >= Wire.MAX_FRAME_BYTES) {
            return true;
        }
        if (start > 0) {
            MemorySegment.copy(out, start, out, 0, end - start);
            for (int i = 0; i < count; i++) {
                frameEnds[(head + i) % MAX_FRAMES] -= start;
            }
            end -= start;
            start = 0;
        }
        return BYTES - end >= Wire.MAX_FRAME_BYTES;
    }

    /** Appends one frame, the first {@code length} bytes of {@code frame}; call only after {@link #room} said yes. */
    void append(MemorySegment frame, int length, boolean isEvent) {
        MemorySegment.copy(frame, 0, out, end, length);
        end += length;
        int slot = (head + count) % MAX_FRAMES;
        frameEnds[slot] = end;
        frameIsEvent[slot] = isEvent;
        count++;
    }

    /** Whether bytes are waiting for the socket. */
    boolean pending() {
        return end > start;
    }

    /** The unsent bytes, for a write. */
    MemorySegment unsent() {
        return out.asSlice(start, end - start);
    }

    /** {@code n} bytes of {@link #unsent} were written: frames wholly written are delivered. */
    void written(long n) {
        start += (int) n;
        while (count > 0 && frameEnds[head] <= start) {
            if (frameIsEvent[head]) {
                delivered++;
            }
            head = (head + 1) % MAX_FRAMES;
            count--;
        }
        if (start == end) {
            start = end = 0;
        }
    }

    /**
     * Forgets every frame not wholly written (the connection broke, or the agent is stopping).
     *
     * @return how many of them were events: the caller counts them as dropped
     */
    int discard() {
        int events = 0;
        for (int i = 0; i < count; i++) {
            if (frameIsEvent[(head + i) % MAX_FRAMES]) {
                events++;
            }
        }
        count = 0;
        start = end = 0;
        return events;
    }

    /** Events whose every byte was written to an open connection. */
    long delivered() {
        return delivered;
    }

    @Override
    public void close() {
        arena.close();
    }
}
