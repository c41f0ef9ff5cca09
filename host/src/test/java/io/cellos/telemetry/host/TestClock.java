package io.cellos.telemetry.host;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that stands still until the test moves it ({@link #advance}): time-driven behaviour
 * (keep-alive, drop reports, ack waits, pauses, drains) happens when the test says and not before,
 * so a test asserts exact counts without sleeping. Once {@linkplain #release released} it runs on
 * from where it stood as fast as the machine's, for the part of a test where real parts (a server
 * coming back) must take the time they take.
 *
 * <p>A thread that waits on it ({@link #awaitUntil}) waits for a notification of its monitor, or for
 * the test to move the clock past its deadline: {@link #advance} wakes every waiter to look at the
 * time again. {@link #awaitWaiters} lets a test wait until the threads it expects are waiting on
 * the clock before it moves it.
 *
 * <p>Thread-safe.
 */
public final class TestClock implements Clock {
    /** Where {@link #nanoTime()} starts: far from zero, so that no code can mistake a reading for "unset". */
    public static final long START_NANOS = 1_000_000_000_000L;
    /** What {@link #now()} says at the start. */
    public static final Instant START = Instant.parse("2026-11-21T12:00:00Z");

    private final AtomicLong nanos = new AtomicLong(START_NANOS);
    /** {@link System#nanoTime()} when the clock was released, or 0 while it stands still. */
    private volatile long releasedAt;
    /** The monitors threads wait on now, with how many wait on each. */
    private final Map<Object, Integer> monitors = new ConcurrentHashMap<>();
    /** Guards {@link #waiting}; notified whenever it changes. */
    private final Object waiters = new Object();
    private int waiting;

    @Override
    public long nanoTime() {
        long released = releasedAt;
        return nanos.get() + (released == 0 ? 0 : System.nanoTime() - released);
    }

    @Override
    public Instant now() {
        return START.plusNanos(nanoTime() - START_NANOS);
    }

    /** From now on, the clock runs on as the machine's does, from where it stands; waits are timed. */
    public void release() {
        releasedAt = System.nanoTime();
        advance(Duration.ZERO); // waiters look again, and now wait for real time to pass
    }

    /** Moves the clock on by {@code d} and wakes every thread waiting on it. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a clock does not go back: " + d);
        }
        nanos.addAndGet(d.toNanos());
        for (Object m : monitors.keySet()) {
            synchronized (m) {
                m.notifyAll();
            }
        }
    }

    @Override
    public void awaitUntil(Object monitor, long deadlineNanos) throws InterruptedException {
        // registered before the time is read: an advance after the read finds the monitor and wakes it
        monitors.merge(monitor, 1, Integer::sum);
        changeWaiting(1);
        try {
            long left = deadlineNanos - nanoTime();
            if (left > 0) {
                if (releasedAt == 0) {
                    monitor.wait();
                } else {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
            }
        } finally {
            monitors.computeIfPresent(monitor, (m, n) -> n == 1 ? null : n - 1);
            changeWaiting(-1);
        }
    }

    /** Threads waiting on this clock now. */
    public int waiting() {
        synchronized (waiters) {
            return waiting;
        }
    }

    /**
     * Waits until at least {@code n} threads wait on this clock. Not a timing assertion: the
     * patience is far beyond what the work needs.
     *
     * @throws AssertionError if they do not within {@code patience}
     */
    public void awaitWaiters(int n, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        synchronized (waiters) {
            while (waiting < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("waited " + patience + " for " + n + " threads to wait on the clock; "
                            + waiting + " do");
                }
                waiters.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private void changeWaiting(int by) {
        synchronized (waiters) {
            waiting += by;
            waiters.notifyAll();
        }
    }
}
