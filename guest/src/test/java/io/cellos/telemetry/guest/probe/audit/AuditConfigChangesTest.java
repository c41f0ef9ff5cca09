package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration changes joined to their sender, or told without one when none is coming. The
 * record texts are as this kernel writes them (6.18).
 */
class AuditConfigChangesTest {
    private static final String KEY = "cellos-telemetry:4986:0:64:15000";
    private static final String SESSION = "auid=4294967295 ses=4294967295 ";

    private final AuditConfigChanges changes = new AuditConfigChanges();
    private final List<AuditConfigChanges.Change> done = new ArrayList<>();
    private final AuditRecord record = new AuditRecord();

    @Test
    void aChangeWaitsForTheProcessItsEventNames() {
        read(7, SESSION + "op=remove_rule key=\"" + KEY + "\" list=4 res=1", 0);
        assertEquals(List.of(), done, "waits for its SYSCALL record");
        assertTrue(changes.waiting(7));
        changes.actor(7, 812, "auditctl");
        changes.endOfEvent(7, done::add);
        AuditConfigChanges.Change c = only();
        assertEquals(812, c.pid());
        assertEquals("audit rule removed (key " + KEY + ") by pid 812 (auditctl)", c.describe());
    }

    /** The audit daemon's own change, or one of a process older than audit's first use: no event follows. */
    @Test
    void aChangeWhoseEventDoesNotEndIsToldWithoutAProcessOnceEverythingIsRead() {
        read(8, SESSION + "op=add_rule key=\"" + KEY + "\" list=4 res=1", 0);
        read(9, SESSION + "op=remove_rule key=\"" + KEY + "\" list=4 res=1", 80_000_000L);
        changes.expire(99_000_000L, done::add);
        assertEquals(List.of(), done, "a SYSCALL record may still come");
        changes.expire(AuditConfigChanges.UNNAMED_AFTER_MS * 1_000_000L, done::add);
        AuditConfigChanges.Change c = only();
        assertEquals(-1, c.pid());
        assertEquals("add_rule", c.op());
        assertTrue(changes.anyWaiting(), "the later one still waits");
        changes.expire(180_000_000L, done::add);
        assertEquals(2, done.size());
        assertFalse(changes.anyWaiting());
    }

    /** One netlink datagram of many requests, or one AUDIT_SET of many settings: one event, every change told. */
    @Test
    void everyChangeOfOneSystemCallIsToldWithItsProcess() {
        read(20, SESSION + "op=add_rule key=(null) list=4 res=1", 0);
        read(20, SESSION + "op=remove_rule key=\"cellos-telemetry:812:1:8192:0\" list=4 res=0", 0);
        changes.actor(20, 812, "python3");
        changes.endOfEvent(20, done::add);
        assertEquals(2, done.size(), done.toString());
        assertEquals(List.of("add_rule", "remove_rule"), done.stream().map(AuditConfigChanges.Change::op).toList());
        assertTrue(done.stream().allMatch(c -> c.pid() == 812), done.toString());
        assertFalse(changes.anyWaiting());
    }

    @Test
    void settingsAreReadWithTheirValue() {
        read(14, "op=set audit_backlog_limit=8192 old=64 " + SESSION + "res=1", 0);
        changes.actor(14, 700, "agent");
        changes.endOfEvent(14, done::add);
        AuditConfigChanges.Change c = only();
        assertEquals("set", c.op());
        assertEquals("audit_backlog_limit", c.setting());
        assertEquals("8192", c.value());
        assertEquals("64", c.old());
        assertNull(c.key());
        assertFalse(c.refused());
    }

    @Test
    void changesThatWaitTooLongAreToldWithoutTheirSender() {
        for (int i = 0; i < AuditConfigChanges.PENDING + 1; i++) {
            read(100 + i, SESSION + "op=add_rule key=\"x\" list=4 res=1", 0);
        }
        AuditConfigChanges.Change c = only();
        assertEquals(-1, c.pid());
        assertEquals("audit rule added (key x) by an unnamed process", c.describe());
    }

    private void read(long serial, String fields, long nowNanos) {
        String text = "audit(1796498390.202:" + serial + "): " + fields;
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        assertTrue(record.reset(bytes, bytes.length), text);
        changes.onConfigChange(record, nowNanos, done::add);
    }

    private AuditConfigChanges.Change only() {
        assertEquals(1, done.size(), () -> "one change told: " + done);
        return done.getFirst();
    }
}
