package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.ReadyGroup;
import io.cellos.telemetry.guest.linux.TimerFd;

/**
 * A one-shot timer in the audit probe's {@link ReadyGroup} whose expiry the probe tells from the
 * monotonic clock, not by reading the timer: the timer wakes an idle probe, and the wakes for
 * records, many, make no system call for it. The timer and {@link System#nanoTime} share {@code
 * CLOCK_MONOTONIC}, and the due time is taken before the timer is armed, so a wake of the timer
 * always finds it expired; the expired timer is then disarmed, which also clears an expiry the
 * kernel counted (the group would otherwise stay readable) and one it has yet to count (a wake for
 * records a moment after the due time, before the timer's own).
 *
 * <p>Confined to the loop thread; owns its timer.
 */
final class DueTimer implements AutoCloseable {
    private final TimerFd timer;
    private long dueAt;
    private boolean armed;

    /** A disarmed timer, added to {@code ready}. */
    DueTimer(ReadyGroup ready) throws ErrnoException {
        timer = new TimerFd();
        try {
            ready.add(timer.fd());
        } catch (ErrnoException | RuntimeException e) {
            timer.close();
            throw e;
        }
    }

    /** Due {@code delayNanos} from now, in place of any earlier due time. */
    void arm(long delayNanos) throws ErrnoException {
        dueAt = System.nanoTime() + delayNanos;
        timer.arm(delayNanos, 0);
        armed = true;
    }

    /** Whether it was armed and is due at {@code now}; if so, it is disarmed. */
    boolean expired(long now) throws ErrnoException {
        if (!armed || now - dueAt < 0) {
            return false;
        }
        timer.arm(0, 0);
        armed = false;
        return true;
    }

    boolean armed() {
        return armed;
    }

    @Override
    public void close() {
        timer.close();
    }
}
