package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.ReadyGroup;
import io.cellos.telemetry.guest.linux.TimerFd;

/**
 * When the audit probe's periodic check of audit ({@link AuditConfigGuard#check}) is due: a
 * one-shot timer in the probe's {@link ReadyGroup} wakes an idle probe for it, and the monotonic
 * clock, not a read of the timer, tells each other wake that it is not due — no system call per
 * wake. The timer and {@link System#nanoTime} share {@code CLOCK_MONOTONIC}, and the timer is armed
 * after the due time is taken, so a wake of the timer always finds the check due and drains it.
 *
 * <p>Confined to the loop thread; owns its timer.
 */
final class AuditCheckSchedule implements AutoCloseable {
    private final TimerFd timer;
    private final long periodNanos;
    private long dueAt;
    private boolean due;

    /** The first check due {@code periodNanos} from now. */
    AuditCheckSchedule(ReadyGroup ready, long periodNanos) throws ErrnoException {
        this.periodNanos = periodNanos;
        timer = new TimerFd();
        try {
            ready.add(timer.fd());
            schedule();
        } catch (ErrnoException | RuntimeException e) {
            timer.close();
            throw e;
        }
    }

    /** Whether the check is due at {@code now}; once due, it stays due until {@link #done}. */
    boolean due(long now) {
        if (!due && now - dueAt >= 0) {
            timer.drain();
            due = true;
        }
        return due;
    }

    /** The check was made: the next is due a period from now. */
    void done() throws ErrnoException {
        due = false;
        schedule();
    }

    private void schedule() throws ErrnoException {
        dueAt = System.nanoTime() + periodNanos;
        timer.arm(periodNanos, 0);
    }

    @Override
    public void close() {
        timer.close();
    }
}
