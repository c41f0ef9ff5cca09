package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRecord;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Audit's records of changes to its own configuration ({@code AUDIT_CONFIG_CHANGE}: a rule added
 * or removed, a setting set), each joined to the process that made it. The kernel makes the change
 * record in the context of the requesting {@code sendmsg}, so the event's {@code AUDIT_SYSCALL}
 * record, with the same serial, names the process ({@code pid}, {@code comm}); the event ends with
 * {@code AUDIT_EOE}.
 *
 * <p>Bounded: at most {@value #PENDING} changes wait for the rest of their event; beyond, the
 * oldest is told as it is. Confined to the probe's thread; allocates only for changes, which are
 * rare.
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

    private static final int PENDING = 64;

    private final Map<Long, Change> pending = new LinkedHashMap<>();

    /** Reads the change in {@code record} (an {@code AUDIT_CONFIG_CHANGE}, header read), to be completed by its event. */
    void onConfigChange(AuditRecord record, Consumer<Change> done) {
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
        if (pending.size() == PENDING) {
            Iterator<Change> oldest = pending.values().iterator();
            done.accept(oldest.next());
            oldest.remove();
        }
        pending.put(record.serial(), new Change(op, key, setting, value, old, refused, -1, null));
    }

    /** Whether a change waits for the process of event {@code serial}. */
    boolean waiting(long serial) {
        return !pending.isEmpty() && pending.containsKey(serial);
    }

    /** The event's {@code AUDIT_SYSCALL} record named the process that made the change. */
    void actor(long serial, int pid, String comm) {
        Change c = pending.get(serial);
        if (c != null) {
            pending.put(serial, c.withActor(pid, comm));
        }
    }

    /** The event {@code serial} ended: its change, if any, is complete. */
    void endOfEvent(long serial, Consumer<Change> done) {
        if (pending.isEmpty()) {
            return;
        }
        Change c = pending.remove(serial);
        if (c != null) {
            done.accept(c);
        }
    }
}
