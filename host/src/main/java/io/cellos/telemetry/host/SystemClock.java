package io.cellos.telemetry.host;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** {@link Clock#system()}: the JVM's own clocks and timed waits. */
enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public void awaitUntil(Object monitor, long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.timedWait(monitor, left);
        }
    }
}
