package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRecord;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Audit's records of changes to its own configuration ({@code AUDIT_CONFIG_CHANGE}: a rule added
 * or removed, a setting set), each joined to the process that made it. The kernel makes the change
 * record in the context of the requesting {@code sendmsg}, so the event's {@code AUDIT_SYSCALL}
 * record, with the same serial, names the process ({@code pid}, {@code comm}); the event ends with
 * {@code AUDIT_EOE}.
 *
 * <p>The exception: while any rule is loaded the kernel does not audit the calls of the registered
 * audit daemon's process (this probe's, or another agent's), and a process older than audit's
 * first use has no audit context at all: their changes come without an {@code AUDIT_SYSCALL}
 * record and without {@code AUDIT_EOE}. A change whose event has not ended {@value
 * #UNNAMED_AFTER_MS} ms after it was read, with every record read meanwhile ({@link #expire}), is
 * told without a process ({@code pid} -1): the kernel logs the {@code SYSCALL} record as the call
 * that made the change returns, microseconds later, so a later one is not coming.
 *
 * <p>One event may hold several changes (one system call can make many); its {@code SYSCALL}
 * record names the process of each. Bounded: at most {@value #PENDING} changes wait for the rest
 * of their event; beyond, the oldest is told as it is. Confined to the probe's thread; allocates
 * only for changes, which are rare.
 */
final class AuditConfigChanges {
    /**
     * One change.
     *
     * @param op       {@code add_rule}, {@code remove_rule}, {@code set}, …
     * @param key      the rule's filter key, for a rule change; else {@code null}
     * @param setting  for {@code set}: {@code audit_enabled}, {@code audit_backlog_limit}, … ; else {@code null}
     * @param value    for {@code set}: the new value
     * @param old      for {@code set}: the value before
     * @param refused  whether the kernel refused it ({@code res=0})
     * @param pid      the process that asked, -1 if the kernel did not say
     * @param comm     its name, or {@code null}
     */
    record Change(String op, String key, String setting, String value, String old, boolean refused, int pid,
                  String comm) {
        Change withActor(int p, String c) {
            return new Change(op, key, setting, value, old, refused, p, c);
        }

        /** In words: {@code "audit rule removed (key …) by pid 812 (auditctl)"}. */
        String describe() {
            String what = switch (op) {
                case "add_rule" -> "audit rule added" + (key == null ? "" : " (key " + key + ")");
                case "remove_rule" -> "audit rule removed" + (key == null ? "" : " (key " + key + ")");
                case "set" -> "audit setting " + setting + " set to " + value + (old == null ? "" : " (was " + old + ")");
                default -> "audit configuration changed (" + op + ")";
            };
            return what + (refused ? ", refused by the kernel," : "") + " by "
                    + (pid < 0 ? "an unnamed process" : "pid " + pid + (comm == null ? "" : " (" + comm + ")"));
        }
    }

    static final int PENDING = 64;
    static final long UNNAMED_AFTER_MS = 100;

    /**
     * The changes of one event waiting for the rest of it — one system call can make several: a
     * netlink datagram of many requests, an {@code AUDIT_SET} of many settings — and when the first
     * was read ({@code System.nanoTime}).
     */
    private static final class Waiting {
        final List<Change> changes = new ArrayList<>(1);
        final long readAt;

        Waiting(long readAt) {
            this.readAt = readAt;
        }
    }

    private final Map<Long, Waiting> pending = new LinkedHashMap<>();
    /** How many changes wait, in all events. */
    private int waitingChanges;

    /**
     * Reads the change in {@code record} (an {@code AUDIT_CONFIG_CHANGE}, header read) at
     * {@code nowNanos}, to be completed by its event.
     */
    void onConfigChange(AuditRecord record, long nowNanos, Consumer<Change> done) {
        String op = null;
        String key = null;
        String setting = null;
        String value = null;
        String old = null;
        boolean refused = false;
        while (record.nextField()) {
            String k = record.keyText();
            switch (k) {
                case "op" -> op = record.valueText();
                case "key" -> key = record.valueText();
                case "old" -> old = record.valueText();
                case "res" -> refused = record.valueText().equals("0");
                default -> {
                    if (k.startsWith("audit_") && setting == null) {
                        setting = k;
                        value = record.valueText();
                    }
                }
            }
        }
        if (op == null) {
            op = setting != null ? "set" : "unknown";
        }
        if ("(null)".equals(key)) {
            key = null;
        }
        if (waitingChanges == PENDING) {
            Iterator<Waiting> oldest = pending.values().iterator();
            Waiting w = oldest.next();
            done.accept(w.changes.removeFirst());
            waitingChanges--;
            if (w.changes.isEmpty()) {
                oldest.remove();
            }
        }
        pending.computeIfAbsent(record.serial(), s -> new Waiting(nowNanos))
                .changes.add(new Change(op, key, setting, value, old, refused, -1, null));
        waitingChanges++;
    }

    /** Whether a change waits for the process of event {@code serial}. */
    boolean waiting(long serial) {
        return !pending.isEmpty() && pending.containsKey(serial);
    }

    /** The event's {@code AUDIT_SYSCALL} record named the process that made the change. */
    void actor(long serial, int pid, String comm) {
        Waiting w = pending.get(serial);
        if (w != null) {
            w.changes.replaceAll(c -> c.withActor(pid, comm));
        }
    }

    /** The event {@code serial} ended: its change, if any, is complete. */
    void endOfEvent(long serial, Consumer<Change> done) {
        if (pending.isEmpty()) {
            return;
        }
        Waiting w = pending.remove(serial);
        if (w != null) {
            tell(w, done);
        }
    }

    private void tell(Waiting w, Consumer<Change> done) {
        w.changes.forEach(done);
        waitingChanges -= w.changes.size();
    }

    /** Whether a change waits for the rest of its event. */
    boolean anyWaiting() {
        return !pending.isEmpty();
    }

    /**
     * Every record the kernel had queued is read, at {@code nowNanos}: tells the changes read
     * {@value #UNNAMED_AFTER_MS} ms or more before as they are, without their event's end.
     */
    void expire(long nowNanos, Consumer<Change> done) {
        Iterator<Waiting> it = pending.values().iterator();
        while (it.hasNext()) {
            Waiting w = it.next();
            if (nowNanos - w.readAt < UNNAMED_AFTER_MS * 1_000_000L) {
                return; // in the order read
            }
            tell(w, done);
            it.remove();
        }
    }
}
