package io.cellos.telemetry.guest.probe.audit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Serial gaps: counted once they outlast a settling period or the window, never before. */
class AuditSerialGapsTest {
    private final AuditSerialGaps gaps = new AuditSerialGaps(64);

    @Test
    void anUnbrokenRunCountsNothing() {
        gaps.startAt(99);
        for (long s = 100; s < 1000; s++) {
            assertEquals(0, gaps.seen(s));
        }
        assertEquals(0, gaps.settle());
        assertEquals(0, gaps.settle());
        assertTrue(gaps.unsettled(), "the last serials have yet to outlast two periods");
        assertEquals(0, gaps.settle());
        assertFalse(gaps.unsettled());
    }

    @Test
    void aMissingSerialCountsOnlyAfterTwoWholeSettlingPeriods() {
        gaps.startAt(9);
        gaps.seen(10);
        gaps.seen(12);
        assertEquals(0, gaps.settle(), "11 may still be on its way");
        assertEquals(0, gaps.settle(), "11 may have been preempted on its way");
        assertTrue(gaps.unsettled());
        assertEquals(1, gaps.settle());
        assertFalse(gaps.unsettled());
    }

    @Test
    void aLateSerialWithinThePeriodsFillsItsGap() {
        gaps.startAt(9);
        gaps.seen(10);
        gaps.seen(12);
        gaps.settle();
        gaps.settle();
        gaps.seen(11);
        assertEquals(0, gaps.settle());
    }

    @Test
    void aSerialArrivingAfterItWasCountedIsIgnored() {
        gaps.startAt(9);
        gaps.seen(10);
        gaps.seen(12);
        gaps.settle();
        gaps.settle();
        assertEquals(1, gaps.settle());
        assertEquals(0, gaps.seen(11));
        assertEquals(0, gaps.settle());
    }

    @Test
    void serialsFallingOutOfTheWindowAreCountedAtOnce() {
        gaps.startAt(-1);
        gaps.seen(0);
        gaps.seen(2);
        assertEquals(1, gaps.seen(66), "1 left the window of 64");
        assertEquals(63 + 870, gaps.seen(1_000), "3..65 and 67..936 never came, and 936 is 64 behind");
        assertEquals(0, gaps.settle());
        assertEquals(0, gaps.settle());
        assertEquals(63, gaps.settle(), "937..999, once settled");
    }

    @Test
    void aWrapOfTheSerialStartsOver() {
        gaps.startAt(0xffff_ffefL);
        gaps.seen(0xffff_fff0L);
        assertEquals(0, gaps.seen(3));
        assertEquals(0, gaps.seen(4));
        gaps.settle();
        gaps.settle();
        assertEquals(0, gaps.settle());
    }

    @Test
    void nothingIsCountedBeforeTheAnchorNorOwedBelowIt() {
        gaps.seen(10);
        gaps.seen(12); // 11 was sent before the reader listened
        assertEquals(0, gaps.settle());
        assertEquals(0, gaps.settle());
        assertEquals(0, gaps.settle());
        gaps.startAt(13); // the reader's marker
        gaps.seen(14);
        gaps.seen(15);
        gaps.settle();
        gaps.settle();
        assertEquals(0, gaps.settle(), "11 is not owed");
    }

    @Test
    void serialsAboveTheAnchorSeenBeforeItStillCountAndTheirGapsToo() {
        gaps.seen(20);
        gaps.seen(22); // made after the marker, read before it
        gaps.startAt(18);
        gaps.seen(23);
        assertEquals(0, gaps.settle());
        assertEquals(0, gaps.settle(), "they may still be on their way");
        assertEquals(2, gaps.settle(), "19 and 21 were owed and never came");
    }
}
