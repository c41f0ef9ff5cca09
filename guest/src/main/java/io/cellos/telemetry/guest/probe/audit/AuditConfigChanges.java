package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRecord;
import io.cellos.telemetry.guest.linux.AuditStatus;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Audit's records of changes to its own configuration ({@code AUDIT_CONFIG_CHANGE}: a rule added
 * or removed, a setting set), each joined to the process that made it. The kernel makes the change
 * record in the context of the requesting {@code sendmsg}, so the event's {@code AUDIT_SYSCALL}
 * record, with the same serial, names the process ({@code pid}, {@code comm}); the event ends with
 * {@code AUDIT_EOE}.
 *
 * <p>The exception is the audit daemon's process: while any rule is loaded the kernel does not
 * audit its calls, so its changes come without an {@code AUDIT_SYSCALL} record and without
 * {@code AUDIT_EOE}, naming nobody. The probe therefore notes each change it asks for while it
 * reads the log ({@link #askedRule}, {@link #askedSettings}); a change read that matches one asked
 * for and not yet read back is the probe's own, told at once as made by this process. A change
 * matches when it is the same operation on the same filter key, or the same setting to the same
 * value: another process's identical change taken for the probe's is one the probe itself wanted,
 * and harmless by that.
 *
 * <p>Bounded: at most {@value #PENDING} changes wait for the rest of their event; beyond, the
 * oldest is told as it is (with no process if none was named). At most {@value #ASKED} changes
 * asked for wait to be read back (one whose record never comes, as a rule added while audit was
 * off, is forgotten when the limit is reached). Confined to the probe's thread; allocates only for
 * changes, which are rare.
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
    private static final int ASKED = 256;

    private final Map<Long, Change> pending = new LinkedHashMap<>();
    /** What the changes asked for and not yet read back are, as {@link #what}; oldest first. */
    private final ArrayDeque<String> asked = new ArrayDeque<>();
    private final int self;

    /** @param self the pid of the probe's process, which makes the changes {@link #askedRule asked for} */
    AuditConfigChanges(int self) {
        this.self = self;
    }

    /** The probe asks for {@code op} ({@code add_rule}, {@code remove_rule}) of a rule under {@code key}. */
    void askedRule(String op, String key) {
        ask(what(op, key, null, null));
    }

    /** The probe asks for the settings in {@code mask} ({@link AuditStatus#MASK_ENABLED}, …) to be those of {@code values}. */
    void askedSettings(int mask, AuditStatus values) {
        for (Setting s : Setting.values()) {
            if ((mask & s.mask) != 0) {
                ask(what("set", null, s.name, Integer.toString(s.value.applyAsInt(values))));
            }
        }
    }

    private void ask(String what) {
        if (asked.size() == ASKED) {
            asked.removeFirst();
        }
        asked.addLast(what);
    }

    /** A change in few words: the operation and its key, or the setting and its value. */
    private static String what(String op, String key, String setting, String value) {
        return setting != null ? op + " " + setting + "=" + value : op + " " + key;
    }

    /** The settings {@code AUDIT_SET} changes, by the names their records give them. */
    private enum Setting {
        ENABLED(AuditStatus.MASK_ENABLED, "audit_enabled", AuditStatus::enabled),
        FAILURE(AuditStatus.MASK_FAILURE, "audit_failure", AuditStatus::failure),
        PID(AuditStatus.MASK_PID, "audit_pid", AuditStatus::pid),
        BACKLOG_LIMIT(AuditStatus.MASK_BACKLOG_LIMIT, "audit_backlog_limit", AuditStatus::backlogLimit),
        BACKLOG_WAIT_TIME(AuditStatus.MASK_BACKLOG_WAIT_TIME, "audit_backlog_wait_time", AuditStatus::backlogWaitTime);

        final int mask;
        final String name;
        final ToIntFunction<AuditStatus> value;

        Setting(int mask, String name, ToIntFunction<AuditStatus> value) {
            this.mask = mask;
            this.name = name;
            this.value = value;
        }
    }

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
        Change change = new Change(op, key, setting, value, old, refused, -1, null);
        if (asked.removeFirstOccurrence(what(op, key, setting, value))) {
            done.accept(change.withActor(self, null)); // the probe's own: its event may never end
            return;
        }
        if (pending.size() == PENDING) {
            Iterator<Change> oldest = pending.values().iterator();
            done.accept(oldest.next());
            oldest.remove();
        }
        pending.put(record.serial(), change);
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
