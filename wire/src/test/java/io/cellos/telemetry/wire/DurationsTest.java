package io.cellos.telemetry.wire;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {
    @Test
    void parsesEveryUnitAndFormatsBackExactly() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertEquals(Duration.ofDays(7), Durations.parse("7d"));
        for (String s : new String[] {"500ms", "10s", "2m", "1h", "7d", "0s", "1500ms", "90s"}) {
            assertEquals(s, Durations.format(Durations.parse(s)));
        }
        assertEquals("1m", Durations.format(Durations.parse("60s")), "the shortest exact form");
    }

    @Test
    void refusesWhatIsNotADuration() {
        for (String s : new String[] {"", "10", "s", "-1s", "1.5s", "10 s", "1w", "9999999999s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(s), s);
            assertTrue(e.getMessage().contains("write e.g."), e.getMessage());
        }
    }

    @Test
    void refusesWhatNanosecondsCannotHold() {
        assertEquals(Duration.ofDays(106_751), Durations.parse("106751d"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("106752d"));
        assertTrue(e.getMessage().contains("'106752d' is too long; the longest duration is 106751d"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("999999999d"));
    }
}
