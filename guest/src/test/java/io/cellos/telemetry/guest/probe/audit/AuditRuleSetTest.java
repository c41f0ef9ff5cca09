package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.SyscallTable;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rule set's filter key carries the agent and the settings to give back; refusals are what it says. */
class AuditRuleSetTest {
    private static final AuditStatus FOUND = new AuditStatus(0, 1, 0, 0, 64, 5, 0, 127, 15000);

    @Test
    void everyRuleNamesItsAgentAndTheSettingsItFound() {
        AuditRuleSet set = new AuditRuleSet(4242, FOUND, false);
        assertEquals("cellos-telemetry:4242:0:64:15000", set.key());
        for (AuditRule r : set.rules()) {
            AuditRuleSet.Owner owner = AuditRuleSet.ownerOf(r);
            assertEquals(4242, owner.pid());
            assertEquals(0, owner.settings().enabled());
            assertEquals(64, owner.settings().backlogLimit());
            assertEquals(15000, owner.settings().backlogWaitTime());
        }
    }

    @Test
    void rulesOfOthersHaveNoOwner() {
        assertNull(AuditRuleSet.ownerOf(AuditRule.syscallExit(42)));
        assertNull(AuditRuleSet.ownerOf(AuditRule.syscallExit(42).withKey("sshd-logins")));
        assertNull(AuditRuleSet.ownerOf(AuditRule.syscallExit(42).withKey("cellos-telemetry:x:0:64:1")));
        assertNull(AuditRuleSet.ownerOf(AuditRule.syscallExit(42).withKey("cellos-telemetry:7")));
    }

    @Test
    void aRefusalIsAPrivilegedCallFailingWithEpermPerfEventOpenWithEaccesOrAnOpenWithErofs() {
        AuditRuleSet set = new AuditRuleSet(1, FOUND, false);
        assertTrue(set.isRefusal(AuditRuleSet.SETHOSTNAME, -1));
        assertTrue(set.isRefusal(AuditRuleSet.KILL, -1));
        assertTrue(set.isRefusal(298, -13));
        assertFalse(set.isRefusal(AuditRuleSet.SETHOSTNAME, -13), "sethostname is refused with EPERM");
        assertFalse(set.isRefusal(AuditRuleSet.CONNECT, -1), "connect is no privileged call");
        assertFalse(set.isRefusal(AuditRuleSet.KILL, -3));
        assertTrue(set.isRefusal(SyscallTable.number("openat"), -30), "a write into a read-only mount");
        assertFalse(set.isRefusal(SyscallTable.number("openat"), -2), "a file not there is no refusal");
        assertTrue(set.isRefusal(SyscallTable.number("sched_setscheduler"), -1), "real-time without CAP_SYS_NICE");
    }
}
