package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.TimerFd;

/**
 * The loop's one-shot timer, for the next thing due (a heartbeat, a drop report, a reconnect, a
 * held name's or exec's end), re-armed only when that comes sooner than what it is armed for, or
 * once it has fired.
 *
 * <p>Why: a busy agent sends in nearly every wake, and each send moves the next heartbeat later;
 * re-arming for it would cost a {@code timerfd_settime} per wake. Left armed for the earlier
 * instant, the timer fires early at most once per heartbeat interval, and the loop, finding
 * nothing due, arms it for the later one then. So it never fires late, and an idle agent's
 * wake-ups are the same as with an exact timer.
 *
 * <p>Confined to the loop thread; owns its {@link TimerFd}.
 */
final class WakeTimer implements AutoCloseable {
    /** Armed for nothing: spent (it fired) or never armed. */
    private static final long SPENT = Long.MIN_VALUE;

    private final TimerFd timer;
    /** When it fires ({@link System#nanoTime()}); {@link Long#MAX_VALUE}: disarmed; {@link #SPENT}. */
    private long armedFor = SPENT;
    private long settings;

    /** @throws ErrnoException naming {@code timerfd_create} and the errno */
    WakeTimer() throws ErrnoException {
        this.timer = new TimerFd();
    }

    /** The descriptor the loop waits on: readable once it has fired. */
    int fd() {
        return timer.fd();
    }

    /**
     * Makes sure the timer fires no later than {@code due} ({@link System#nanoTime()}'s clock;
     * {@link Long#MAX_VALUE}: nothing due), arming it only if it is armed for a later instant, is
     * disarmed while something is due, or has fired.
     */
    void fireBy(long due, long now) {
        if (armedFor != SPENT && due >= armedFor) {
            return; // it fires first, or at the same instant; a later due is armed when it does
        }
        armedFor = due;
        settings++;
        try {
            timer.arm(due == Long.MAX_VALUE ? 0 : Math.max(1, due - now), 0);
        } catch (ErrnoException e) {
            throw new IllegalStateException("timerfd_settime cannot fail on a valid timer", e);
        }
    }

    /** The timer fired: consumes it; the next {@link #fireBy} arms it again. */
    void fired() {
        timer.drain();
        armedFor = SPENT;
    }

    /** How many times it has been armed ({@code timerfd_settime} calls), for tests and profiles. */
    long settings() {
        return settings;
    }

    @Override
    public void close() {
        timer.close();
    }
}
