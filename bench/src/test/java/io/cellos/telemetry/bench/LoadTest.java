package io.cellos.telemetry.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadTest {
    @Test
    void othersCpuOrStealAboveTheirLimitsFlagTheFigure() {
        assertFalse(new Load(3.0, 3.0, 10, Load.BUSY_OTHERS_PERCENT, Load.BUSY_STEAL_PERCENT).busy());
        assertTrue(new Load(0.1, 0.1, 10, Load.BUSY_OTHERS_PERCENT + 0.1, 0).busy());
        assertTrue(new Load(0.1, 0.1, 10, 0, Load.BUSY_STEAL_PERCENT + 0.1).busy());
    }

    @Test
    void describesTheLoadAverageOthersAndStealWhenThereIsSome() {
        assertEquals("0.52 → 1.10; others 3 %", new Load(0.52, 1.1, 10, 3.2, 0).describe());
        assertEquals("0.52 → 1.10; others 3 %, steal 0.5 %", new Load(0.52, 1.1, 10, 3.2, 0.5).describe());
        assertEquals("4.00 → 5.00; others 87 %; **busy: unreliable**", new Load(4, 5, 10, 87, 0).describe());
    }

    @Test
    void aMeterOverAQuietMomentMeasuresSomethingSane() throws Exception {
        Load l = LoadMeter.start().stop();
        assertTrue(l.loadBefore() >= 0 && l.loadAfter() >= 0, l.toString());
        assertTrue(l.othersPercent() >= 0 && l.stealPercent() >= 0 && l.stealPercent() <= 100, l.toString());
    }
}
