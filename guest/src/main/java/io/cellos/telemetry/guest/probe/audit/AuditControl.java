package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.ErrnoException;

/**
 * The changes to audit's configuration the probe makes while it reads the log, each noted in
 * {@link AuditConfigChanges} before it is asked for, so that its record is known for the probe's
 * own even when the kernel does not name the sender (as the daemon's, it never does while a rule
 * is loaded). Confined to the probe's thread.
 */
final class AuditControl {
    private final AuditNetlink control;
    private final AuditConfigChanges changes;

    AuditControl(AuditNetlink control, AuditConfigChanges changes) {
        this.control = control;
        this.changes = changes;
    }

    /** See {@link AuditNetlink#addRule}. */
    boolean addRule(AuditRule rule) throws ErrnoException {
        changes.askedRule("add_rule", rule.key());
        return control.addRule(rule);
    }

    /** See {@link AuditNetlink#setStatus}. */
    void setStatus(int mask, AuditStatus values) throws ErrnoException {
        changes.askedSettings(mask, values);
        control.setStatus(mask, values);
    }

    /** See {@link AuditNetlink#status}. */
    AuditStatus status() throws ErrnoException {
        return control.status();
    }
}
