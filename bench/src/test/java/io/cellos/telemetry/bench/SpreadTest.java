package io.cellos.telemetry.bench;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpreadTest {
    @Test
    void anOddCountHasTheMiddleValueAsMedianWhateverTheOrder() {
        Spread s = Spread.of(List.of(9.0, 1.0, 5.0));
        assertEquals(new Spread(1.0, 5.0, 9.0, 3), s);
    }

    @Test
    void anEvenCountHasTheMeanOfTheTwoMiddleValues() {
        assertEquals(new Spread(1.0, 3.0, 10.0, 4), Spread.of(List.of(4.0, 10.0, 1.0, 2.0)));
    }

    @Test
    void oneValueIsItsOwnMinMedianAndMax() {
        assertEquals(new Spread(7.5, 7.5, 7.5, 1), Spread.of(7.5));
    }

    @Test
    void noValuesOrValuesThatAreNotNumbersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Spread.of(List.of()));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> Spread.of(List.of(1.0, Double.NaN)));
        assertTrue(nan.getMessage().contains("finite"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Spread.of(Arrays.asList(1.0, null)));
        assertThrows(IllegalArgumentException.class, () -> Spread.of(List.of(Double.POSITIVE_INFINITY)));
    }

    @Test
    void aSpreadOutOfOrderCannotBeMade() {
        assertThrows(IllegalArgumentException.class, () -> new Spread(2, 1, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> new Spread(1, 1, 1, 0));
    }
}
