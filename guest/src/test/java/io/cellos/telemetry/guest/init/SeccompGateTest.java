package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.linux.BpfProgram;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SeccompGateTest {
    @Test
    void theLargestGateStillEncodesEveryJumpWithinReach() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= SeccompGate.MAX_PROTECTED; i++) {
            ids.add(i * 7);
        }
        try (Arena arena = Arena.ofConfined()) {
            BpfProgram p = new SeccompGate(ids).program();
            assertEquals(p.size() * 8L, p.encode(arena).byteSize());
        }
    }

    @Test
    void refusesWhatCannotBeAGate() {
        assertThrows(IllegalArgumentException.class, () -> new SeccompGate(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new SeccompGate(List.of(0)));
        List<Integer> tooMany = new ArrayList<>();
        for (int i = 1; i <= SeccompGate.MAX_PROTECTED + 1; i++) {
            tooMany.add(i);
        }
        assertThrows(IllegalArgumentException.class, () -> new SeccompGate(tooMany));
    }

    @Test
    void aProgramWithAMissingLabelOrAFarJumpIsNeverEncoded() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalStateException.class, () -> new BpfProgram().load(0).jumpIfEqual(1, "nowhere").ret(0)
                    .encode(arena));
            BpfProgram far = new BpfProgram().load(0).jumpIfEqual(1, "end");
            for (int i = 0; i < 300; i++) {
                far.ret(0);
            }
            far.label("end").ret(0);
            assertThrows(IllegalStateException.class, () -> far.encode(arena));
            assertThrows(IllegalStateException.class, () -> new BpfProgram().load(0).encode(arena));
        }
    }
}
