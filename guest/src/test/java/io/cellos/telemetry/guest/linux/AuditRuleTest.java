package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct audit_rule_data} as written and read back (the kernel round trip is in AuditProbeTest). */
class AuditRuleTest {
    private static final AuditRule CONNECTS = AuditRule.syscallExit(42)
            .where(AuditRule.FIELD_ARCH, AuditRule.OP_EQUAL, AuditRule.ARCH_X86_64)
            .where(AuditRule.FIELD_EXIT, AuditRule.OP_NOT_EQUAL, -114)
            .withKey("cellos-telemetry:7");

    @Test
    void theStructHasTheLayoutOfTheHeader() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(CONNECTS.byteSize());
            CONNECTS.write(s, 0);
            assertEquals(1040 + 18, CONNECTS.byteSize());
            assertEquals(AuditRule.LIST_EXIT, s.get(JAVA_INT, 0));
            assertEquals(AuditRule.ACTION_ALWAYS, s.get(JAVA_INT, 4));
            assertEquals(3, s.get(JAVA_INT, 8));
            assertEquals(1 << (42 - 32), s.get(JAVA_INT, 12 + 4), "syscall 42 is bit 10 of word 1");
            assertEquals(AuditRule.FIELD_ARCH, s.get(JAVA_INT, 268));
            assertEquals(AuditRule.ARCH_X86_64, s.get(JAVA_INT, 524));
            assertEquals(AuditRule.OP_EQUAL, s.get(JAVA_INT, 780));
            assertEquals(-114, s.get(JAVA_INT, 524 + 4));
            assertEquals(18, s.get(JAVA_INT, 1036), "buflen");
            assertEquals("cellos-telemetry:7", new String(s.asSlice(1040, 18).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aRuleReadBackEqualsTheRuleWritten() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(CONNECTS.byteSize());
            CONNECTS.write(s, 0);
            AuditRule back = AuditRule.read(s, 0, (int) s.byteSize());
            assertEquals(CONNECTS, back);
            assertEquals("cellos-telemetry:7", back.key());
            assertTrue(back.coversSyscall(42));
            assertFalse(back.coversSyscall(43));
        }
    }

    @Test
    void rulesDifferingInAnyConditionDiffer() {
        assertFalse(CONNECTS.equals(AuditRule.syscallExit(42)
                .where(AuditRule.FIELD_ARCH, AuditRule.OP_EQUAL, AuditRule.ARCH_X86_64)
                .where(AuditRule.FIELD_EXIT, AuditRule.OP_NOT_EQUAL, -114)
                .withKey("cellos-telemetry:8")));
        assertNull(AuditRule.syscallExit(42).key());
    }

    @Test
    void aTruncatedListingIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(CONNECTS.byteSize());
            CONNECTS.write(s, 0);
            assertThrows(IllegalArgumentException.class, () -> AuditRule.read(s, 0, 1040 + 10));
            assertThrows(IllegalArgumentException.class, () -> AuditRule.read(s, 0, 100));
        }
    }
}
