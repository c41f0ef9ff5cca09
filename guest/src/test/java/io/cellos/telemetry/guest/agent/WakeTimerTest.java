package io.cellos.telemetry.guest.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The loop's timer is set again only when something comes due sooner, or after it fired. */
class WakeTimerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aLaterDueLeavesTheTimerAsItIsAndASoonerOneArmsIt() throws Exception {
        try (WakeTimer t = new WakeTimer()) {
            long now = System.nanoTime();
            t.fireBy(now + 60 * SECOND, now);
            assertEquals(1, t.settings());
            t.fireBy(now + 61 * SECOND, now); // a send moved the heartbeat later: it fires early, once
            t.fireBy(now + 60 * SECOND, now);
            t.fireBy(Long.MAX_VALUE, now); // nothing due: an early fire is harmless
            assertEquals(1, t.settings());
            t.fireBy(now + 30 * SECOND, now); // a held exec's wait ends sooner
            assertEquals(2, t.settings());
        }
    }

    @Test
    void afterItFiredItIsArmedForWhateverIsDue() throws Exception {
        try (WakeTimer t = new WakeTimer()) {
            long now = System.nanoTime();
            t.fireBy(now + 60 * SECOND, now);
            t.fired();
            t.fireBy(now + 90 * SECOND, now);
            assertEquals(2, t.settings());
            t.fired();
            t.fireBy(Long.MAX_VALUE, now); // disarmed: nothing due
            t.fireBy(Long.MAX_VALUE, now);
            assertEquals(3, t.settings());
            t.fireBy(now + 60 * SECOND, now); // something due again
            assertEquals(4, t.settings());
        }
    }
}
