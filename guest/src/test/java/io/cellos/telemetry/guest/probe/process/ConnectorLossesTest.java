package io.cellos.telemetry.guest.probe.process;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConnectorLossesTest {
    @Test
    void consecutiveMessagesLoseNothingAndAGapOfKCountsK() {
        ConnectorLosses l = new ConnectorLosses();
        assertEquals(0, l.onMessage(0, 1000), "the first message from a CPU sets where it starts");
        assertEquals(0, l.onMessage(0, 1001));
        assertEquals(3, l.onMessage(0, 1005));
        assertEquals(0, l.onMessage(1, 7), "each CPU counts on its own");
        assertEquals(0, l.onMessage(0, 1006));
        assertEquals(1, l.onMessage(1, 9));
    }

    @Test
    void theCounterWraps() {
        ConnectorLosses l = new ConnectorLosses();
        l.onMessage(2, -2); // 0xfffffffe
        assertEquals(0, l.onMessage(2, -1));
        assertEquals(0, l.onMessage(2, 0));
        assertEquals(1, l.onMessage(2, 2));
    }

    @Test
    void anOverrunCountsOneAtOnceWhichTheNextGapDoesNotCountAgain() {
        ConnectorLosses l = new ConnectorLosses();
        l.onMessage(0, 10);
        l.onMessage(1, 50);
        assertEquals(1, l.onOverrun());
        assertEquals(1, l.onOverrun());
        assertEquals(0, l.onMessage(0, 12), "a gap of 1, already counted");
        assertEquals(2, l.onMessage(1, 54), "a gap of 3, one of them counted already");
        assertEquals(4, l.onMessage(0, 17), "no overrun left to deduct");
    }

    @Test
    void implausibleCpuNumbersAreNotCounted() {
        ConnectorLosses l = new ConnectorLosses();
        assertEquals(0, l.onMessage(-1, 5));
        assertEquals(0, l.onMessage(1 << 20, 5));
        assertEquals(0, l.onMessage(1 << 20, 9));
    }
}
