package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRecord;
import io.cellos.telemetry.guest.linux.AuditStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration changes joined to their sender, and the probe's own known without one. The record
 * texts are as this kernel writes them (6.18).
 */
class AuditConfigChangesTest {
    private static final int SELF = 4986;
    private static final String KEY = "cellos-telemetry:4986:0:64:15000";
    private static final String SESSION = "auid=4294967295 ses=4294967295 ";

    private final AuditConfigChanges changes = new AuditConfigChanges(SELF);
    private final List<AuditConfigChanges.Change> done = new ArrayList<>();
    private final AuditRecord record = new AuditRecord();

    @Test
    void aChangeNobodyAskedForWaitsForTheProcessItsEventNames() {
        read(7, SESSION + "op=remove_rule key=\"" + KEY + "\" list=4 res=1");
        assertEquals(List.of(), done, "waits for its SYSCALL record");
        assertTrue(changes.waiting(7));
        changes.actor(7, 812, "auditctl");
        changes.endOfEvent(7, done::add);
        AuditConfigChanges.Change c = only();
        assertEquals(812, c.pid());
        assertEquals("audit rule removed (key " + KEY + ") by pid 812 (auditctl)", c.describe());
    }

    @Test
    void aRuleTheProbeAskedForIsItsOwnAtOnceThoughTheKernelNamesNoSender() {
        changes.askedRule("add_rule", KEY);
        read(8, SESSION + "op=add_rule key=\"" + KEY + "\" list=4 res=0");
        AuditConfigChanges.Change c = only();
        assertEquals(SELF, c.pid(), "the probe's own");
        assertTrue(c.refused());
        changes.endOfEvent(8, done::add);
        assertEquals(1, done.size(), "told once, whether or not its event ends");
    }

    @Test
    void oneRequestAccountsForOneChangeOnly() {
        changes.askedRule("add_rule", KEY);
        read(9, SESSION + "op=add_rule key=\"" + KEY + "\" list=4 res=1");
        read(10, SESSION + "op=add_rule key=\"" + KEY + "\" list=4 res=0");
        assertEquals(1, done.size(), "the second is somebody else's until its event names them");
        assertTrue(changes.waiting(10));
    }

    @Test
    void anotherOperationOrKeyIsNotTheProbes() {
        changes.askedRule("add_rule", KEY);
        read(11, SESSION + "op=remove_rule key=\"" + KEY + "\" list=4 res=1");
        read(12, SESSION + "op=add_rule key=\"someone-else\" list=4 res=1");
        read(13, SESSION + "op=add_rule key=(null) list=2 res=1");
        assertEquals(List.of(), done);
    }

    @Test
    void settingsTheProbeAskedForAreItsOwnAndOnlyAtTheValuesItAskedFor() {
        AuditStatus wanted = new AuditStatus(1, 1, 0, 0, 8192, 0, 0, 0, 0);
        changes.askedSettings(AuditStatus.MASK_ENABLED | AuditStatus.MASK_BACKLOG_LIMIT
                | AuditStatus.MASK_BACKLOG_WAIT_TIME, wanted);
        read(14, "op=set audit_enabled=0 old=1 " + SESSION + "res=1");
        assertEquals(List.of(), done, "switched off: not what the probe asked for");
        read(15, "op=set audit_enabled=1 old=0 " + SESSION + "res=1");
        read(16, "op=set audit_backlog_limit=8192 old=64 " + SESSION + "res=1");
        read(17, "op=set audit_backlog_wait_time=0 old=15000 " + SESSION + "res=1");
        assertEquals(3, done.size(), done.toString());
        assertTrue(done.stream().allMatch(c -> c.pid() == SELF), done.toString());
        assertEquals("audit_backlog_limit", done.get(1).setting());
        assertNull(done.get(1).key());
    }

    @Test
    void changesThatWaitTooLongAreToldWithoutTheirSender() {
        for (int i = 0; i < AuditConfigChanges.PENDING + 1; i++) {
            read(100 + i, SESSION + "op=add_rule key=\"x\" list=4 res=1");
        }
        AuditConfigChanges.Change c = only();
        assertEquals(-1, c.pid());
        assertEquals("audit rule added (key x) by an unnamed process", c.describe());
    }

    private void read(long serial, String fields) {
        String text = "audit(1796498390.202:" + serial + "): " + fields;
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        assertTrue(record.reset(bytes, bytes.length), text);
        changes.onConfigChange(record, done::add);
    }

    private AuditConfigChanges.Change only() {
        assertEquals(1, done.size(), () -> "one change told: " + done);
        return done.getFirst();
    }
}
