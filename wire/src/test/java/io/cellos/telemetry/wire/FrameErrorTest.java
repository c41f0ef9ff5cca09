package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Refusal causes: stable codes for counters, and a message that names field and offset. */
class FrameErrorTest {

    @ParameterizedTest
    @EnumSource(FrameError.class)
    void theCodeIsTheSnakeCaseName(FrameError error) {
        assertEquals(error.name().toLowerCase(Locale.ROOT), error.code());
    }

    @Test
    void onlyAnUnusablePrefixLosesTheFraming() {
        Set<FrameError> losing = EnumSet.noneOf(FrameError.class);
        for (FrameError e : FrameError.values()) {
            if (e.losesFraming()) {
                losing.add(e);
            }
        }
        assertEquals(EnumSet.of(FrameError.FRAME_TOO_LARGE, FrameError.ZERO_LENGTH), losing);
    }

    @Test
    void theMessageNamesCodeFieldAndOffset() {
        FrameException e = new FrameException(FrameError.WRONG_FIELD_TYPE, "guest_pid", 59, "expected an unsigned integer");
        assertEquals("wrong_field_type field=guest_pid offset=59: expected an unsigned integer", e.getMessage());
        assertEquals("missing_field field=guest_comm: a core key is absent",
                new FrameException(FrameError.MISSING_FIELD, "guest_comm", -1, "a core key is absent").getMessage());
        assertEquals("zero_length offset=0: the length prefix is 0",
                new FrameException(FrameError.ZERO_LENGTH, null, 0, "the length prefix is 0").getMessage());
    }

    /** Hostile input makes many of these: they must be cheap. */
    @Test
    void noStackTraceIsCapturedAndNoCauseHeld() {
        FrameException e = Codec.refuseBody(new byte[] {0x01});
        assertEquals(0, e.getStackTrace().length);
        assertNull(e.getCause());
    }
}
