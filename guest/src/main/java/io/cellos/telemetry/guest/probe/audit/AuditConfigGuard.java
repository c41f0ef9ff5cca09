package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Tells audit configuration changes that blind the agent from the work of agents beside it, puts
 * back what they took, and declares them as {@code agent.tampered}.
 *
 * <p>A change made by the probe's own process is its own. A change made by another agent — one
 * whose rules were there when the probe armed, or that added rules under its own key since — is
 * that agent's arming or closing (see {@link AuditPeers}). Any other change is tampering, refused
 * by the kernel or not: the probe's rules are added again where they are missing, audit switched
 * on again, the daemon's backlog settings set again, and the change is declared with the process
 * that made it — all in the wake that read its record.
 *
 * <p>Confined to the probe's thread.
 */
final class AuditConfigGuard {
    private final int self;
    private final AuditControl control;
    private final AuditRuleSet rules;
    private final List<AuditRule> added;
    private final BooleanSupplier daemon;
    private final Set<Integer> peers = new HashSet<>();
    private final List<AuditConfigChanges.Change> changes = new ArrayList<>();

    /**
     * @param added  the probe's own list of rules it added, to which a rule put back is added
     * @param daemon whether the probe is the audit daemon now (then the backlog settings are its)
     * @param peers  the other live agents when the probe armed
     */
    AuditConfigGuard(int self, AuditControl control, AuditRuleSet rules, List<AuditRule> added, BooleanSupplier daemon,
                     Set<Integer> peers) {
        this.self = self;
        this.control = control;
        this.rules = rules;
        this.added = added;
        this.daemon = daemon;
        this.peers.addAll(peers);
    }

    /** A change read; decided at {@link #settle}. */
    void accept(AuditConfigChanges.Change change) {
        changes.add(change);
    }

    /** Decides the changes read since the last call; puts back what tampering took, and declares it. */
    void settle(ProbeOutput out) throws ErrnoException {
        if (changes.isEmpty()) {
            return;
        }
        for (AuditConfigChanges.Change c : changes) {
            AuditRuleSet.Owner owner = AuditRuleSet.ownerOf(c.key());
            boolean ownKey = owner != null && owner.pid() == c.pid();
            if (c.pid() == self || peers.contains(c.pid()) && !c.op().equals("remove_rule") || ownKey) {
                if (ownKey && c.op().equals("add_rule")) {
                    peers.add(c.pid()); // an agent arming beside this one
                }
                continue;
            }
            if (peers.contains(c.pid()) && owner != null && owner.pid() != self) {
                continue; // an agent sweeping a dead one's rules
            }
            out.tampered(c.pid(), c.comm(), c.describe() + "; " + putBack());
        }
        changes.clear();
    }

    /** Adds the probe's rules where they are missing, and its settings where they changed; says what it did. */
    private String putBack() throws ErrnoException {
        int rulesBack = 0;
        for (AuditRule rule : rules.rules()) {
            if (control.addRule(rule)) {
                rulesBack++;
                if (!added.contains(rule)) {
                    added.add(rule);
                }
            }
        }
        AuditStatus now = control.status();
        if (now.enabled() == AuditStatus.LOCKED) {
            return "audit is locked (enabled=2) and cannot be changed until reboot; " + rulesBack + " rules put back";
        }
        int mask = now.enabled() == AuditStatus.OFF ? AuditStatus.MASK_ENABLED : 0;
        if (daemon.getAsBoolean() && (now.backlogLimit() != AuditProbe.BACKLOG_LIMIT || now.backlogWaitTime() != 0)) {
            mask |= AuditStatus.MASK_BACKLOG_LIMIT | AuditStatus.MASK_BACKLOG_WAIT_TIME;
        }
        if (mask != 0) {
            control.setStatus(mask, now.withEnabled(AuditStatus.ON).withBacklogLimit(AuditProbe.BACKLOG_LIMIT)
                    .withBacklogWaitTime(0));
        }
        return rulesBack == 0 && mask == 0 ? "nothing to put back" : "put back (" + rulesBack + " rules"
                + ((mask & AuditStatus.MASK_ENABLED) != 0 ? ", audit on" : "")
                + ((mask & AuditStatus.MASK_BACKLOG_LIMIT) != 0 ? ", backlog settings" : "") + ")";
    }
}
