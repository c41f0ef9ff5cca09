package io.cellos.telemetry.host.sink;

import io.cellos.telemetry.host.event.CellEvent;

/**
 * Where a receiver's events go. Each comes as a {@link CellEvent}: the CloudEvent to deliver, with
 * its cell's stamp and what it says, typed, so that a sink routes and counts without parsing the
 * event back.
 *
 * <p>{@link #emit} and {@link #flush} are called from the receiver's I/O threads, concurrently
 * when there is more than one; an implementation is thread-safe and never blocks for long, for a
 * slow sink stalls every cell of its I/O thread. A sink that cannot deliver an event counts it
 * and says so; it never throws into the receiver.
 */
public interface EventSink extends AutoCloseable {
    /** Takes one event. */
    void emit(CellEvent event);

    /**
     * Pushes out what was emitted so far; called when an I/O thread has no more input at hand. The
     * default does nothing: a sink that buffers nothing.
     */
    default void flush() {
    }

    /** Events this sink could not deliver (no default: every sink answers for its own). */
    long lost();

    /**
     * Events this sink holds now, taken but neither delivered nor lost yet: what a slow destination
     * has let pile up. From any thread. The default, 0, is for a sink that hands each event on
     * before {@link #flush} returns.
     */
    default long backlog() {
        return 0;
    }

    /** Flushes and releases what the sink holds. The default does nothing: a sink that holds nothing. */
    @Override
    default void close() {
    }
}
