package io.cellos.telemetry.host.sink.nats;

import io.cellos.telemetry.host.Clock;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A NATS outage as the {@link Publisher} lives it: how long to pause before the next try (from
 * 100 ms, doubling up to 2 s), when the outage began, and telling it once when it begins and once
 * when it ends, on the sink's warning stream.
 *
 * <p>Confined to the publisher's thread.
 */
final class Outage {
    static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(2);

    private final Clock clock;
    private final NatsTarget target;
    private final PrintStream warnings;
    private long since = -1;
    private Duration pause = FIRST_PAUSE;

    Outage(Clock clock, NatsTarget target, PrintStream warnings) {
        this.clock = clock;
        this.target = target;
        this.warnings = warnings;
    }

    /**
     * No ack came: when to try again, on the clock, a pause from now, each pause twice the last. The
     * first failure of an outage is told, after the time to try again is fixed, so whoever reads the
     * warning knows the retry is due a pause after the clock's time then.
     */
    long failed(Throwable why) {
        long now = clock.nanoTime();
        long resumeAt = now + pause.toNanos();
        Duration doubled = pause.multipliedBy(2);
        pause = doubled.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : doubled;
        if (since < 0) {
            since = now;
            warnings.println("cellos: NATS " + target + " is not acknowledging events (" + describe(why)
                    + "); holding up to " + target.buffer() + " and sending again until it does");
        }
        return resumeAt;
    }

    /** An ack came: the outage, if there was one, is over, and says how long it lasted. */
    void recovered() {
        if (since >= 0) {
            long seconds = TimeUnit.NANOSECONDS.toSeconds(clock.nanoTime() - since);
            warnings.println("cellos: NATS " + target + " acknowledges again after " + seconds
                    + " s; held events go out in order");
            since = -1;
        }
        pause = FIRST_PAUSE;
    }

    /** The class and message of {@code t}, for a person. */
    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
