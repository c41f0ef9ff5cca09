package io.cellos.telemetry.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The floor's loop, run for real (no root needed): what it counts must add up. */
class WakeFloorTest {
    @Test
    void everyPacedEventIsSeenAndEveryWakeSendsOneFrameThatTheReceiverReads() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WakeFloor.Result r = WakeFloor.measure(1000, 300, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(300, r.events());
        assertTrue(r.wakes() >= 1 && r.wakes() <= 300, r.toString());
        assertEquals(WakeFloor.FRAME * r.wakes(), r.bytesReceived(), "a frame per wake, none lost: " + r);
        assertTrue(r.loopNanos() > 0 && r.msPer1000Events() > 0, r.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("WakeFloor 1000/s: 300 events, "), out.toString());
    }

    @Test
    void aPaceOrCountThatIsNotPositiveIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> WakeFloor.measure(0, 10, System.out));
        assertThrows(IllegalArgumentException.class, () -> WakeFloor.measure(10, 0, System.out));
    }
}
