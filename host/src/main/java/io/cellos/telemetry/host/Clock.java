package io.cellos.telemetry.host;

import java.time.Instant;

/**
 * The time, as everything on the host that reads it or waits for it reads it: the receiver's
 * keep-alive and drop-report timers and the instants it stamps on events, the NATS publisher's
 * ack waits, pauses and drain. Given to them, never read behind their back, so that a test can hold
 * time still and move it on exactly when it means to, instead of sleeping and hoping.
 *
 * <p>At the root of the host's packages because the receiver and the sinks both take one; it is
 * theirs in common and nobody's in particular.
 *
 * <p>Implementations are thread-safe.
 */
public interface Clock {
    /** The machine's clock: {@link System#nanoTime()}, {@link Instant#now()}, {@link Object#wait(long)}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** A monotonic reading in nanoseconds, for durations and deadlines; its origin means nothing. */
    long nanoTime();

    /** The wall-clock instant, for the times written in events. */
    Instant now();

    /**
     * Waits on {@code monitor}, whose lock the caller holds, until it is notified, the thread is
     * interrupted, or this clock's {@link #nanoTime()} reaches {@code deadlineNanos}. It may return
     * early, as {@link Object#wait} may: callers wait in a loop that checks their condition and the
     * time.
     *
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    void awaitUntil(Object monitor, long deadlineNanos) throws InterruptedException;
}
