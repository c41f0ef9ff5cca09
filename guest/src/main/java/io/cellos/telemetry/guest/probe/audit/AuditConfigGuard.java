package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Tells audit configuration changes that blind the agent from the work of agents beside it, puts
 * back what they took, and declares them as {@code agent.tampered}.
 *
 * <p>A change made by the probe's own process is its own. A change made by another agent — one
 * whose rules were there when the probe armed, or that added rules under its own key since — is
 * that agent's arming or closing (see {@link AuditPeers}). Any other change is tampering, refused
 * by the kernel or not.
 *
 * <p>A change whose sender the kernel did not name ({@link AuditConfigChanges}: the registered
 * audit daemon's — this probe's, or another agent's — and those of processes older than audit's
 * first use) is judged by what it did, since anyone could have made it:
 * <ul>
 *   <li>a refused change did nothing; a setting set to the value the agents keep ({@code
 *       audit_enabled=1}, this probe's backlog settings, the failure mode and rate limit audit had
 *       when it armed, this process as the daemon) takes nothing, nor does a daemon's giving up its
 *       place ({@code audit_pid=0}, which the kernel takes from the daemon alone), nor a rule removed
 *       under no agent's key (no agent's record comes from it; this probe's own put-back deletes
 *       such rules when they keep records from being made);</li>
 *   <li>a rule change under another agent's key is for that agent to judge, or, if it is dead, the
 *       sweeping of its stale rules;</li>
 *   <li>a rule change under this probe's key (or one naming its pid: a key made to look like its
 *       own is treated as its own) makes the probe check the kernel's rules under it, which must be
 *       exactly the probe's: an addition is declared if the check deleted a rule that is not, a
 *       removal if it put one of the probe's back (so the probe's own deletions, which come back
 *       unnamed too, are not declared);</li>
 *   <li>anything else is tampering by an unnamed process.</li>
 * </ul>
 *
 * <p>One system call may make several changes (a netlink datagram of many requests): each is
 * judged. A process asking to be the audit daemon itself takes nothing from this probe (the kernel
 * refuses while a daemon lives), and a rule removed under a dead agent's key is the sweeping of its
 * stale rules, whoever does it.
 *
 * <p>What tampering took is put back once for all the changes of a wake, in the wake that read
 * them: rules under the probe's key that are not its own are deleted (a rule of the attacker's
 * under the key, such as {@code exit,never} on {@code connect}), and so are rules that keep records
 * from being made ({@link AuditRule#suppresses}: {@code never} rules, exclude rules) that audit did
 * not have when the probe armed and no agent's key names; its missing rules are added again,
 * audit switched on again and, while the probe is the daemon, the backlog, failure mode and rate
 * limit set again to the agents' values; each change is declared with the process that made it and
 * what was put back. Audit locked ({@code enabled=2}) takes no change: the put-back says so and
 * tries none.
 *
 * <p>Records can be kept from being made, their own among them (an exclude rule on {@code
 * CONFIG_CHANGE}, or on the pid of the process that adds it): {@link #check}, called periodically,
 * compares audit with what the agents keep whatever the records said, and puts back and declares
 * what it finds changed. A rule whose {@code exe} path does not resolve from this process's root
 * is deleted from an empty one ({@link EmptyRootDeletion}). What cannot be put back — audit locked,
 * a rule the kernel lists but will not delete even so, a request the kernel refuses — is declared
 * with the rest, never thrown: the probe goes on observing.
 *
 * <p>Confined to the probe's thread.
 */
final class AuditConfigGuard {
    private static final String NOTHING = "nothing to put back";

    private final int self;
    private final AuditNetlink control;
    private final AuditRuleSet rules;
    private final List<AuditRule> added;
    private final BooleanSupplier daemon;
    private final Set<Integer> peers = new HashSet<>();
    /** The rules audit had when the probe armed: the machine's own, which the probe leaves alone. */
    private final Set<AuditRule> found;
    /** The settings audit had when the probe armed: the failure mode and rate limit kept while it is the daemon. */
    private final AuditStatus keep;
    /** Rules an empty root did not delete either ({@link PutBackRequests}), kept until a put-back finds no trouble. */
    private final Set<AuditRule> unmovable = new HashSet<>();
    /** What a put-back last could not do, as declared: a check declares it again only when it differs. */
    private String troubleDeclared;
    private final List<AuditConfigChanges.Change> changes = new ArrayList<>();

    /**
     * @param added  the probe's own list of rules it added, to which a rule put back is added
     * @param daemon whether the probe is the audit daemon now (then the backlog settings are its)
     * @param peers  the other live agents when the probe armed
     * @param found  the rules audit had when the probe armed
     * @param keep   the settings audit had when the probe armed
     */
    AuditConfigGuard(int self, AuditNetlink control, AuditRuleSet rules, List<AuditRule> added, BooleanSupplier daemon,
                     Set<Integer> peers, Set<AuditRule> found, AuditStatus keep) {
        this.found = Set.copyOf(found);
        this.keep = keep;
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
    void settle(ProbeOutput out) {
        if (changes.isEmpty()) {
            return;
        }
        List<AuditConfigChanges.Change> tampering = new ArrayList<>();
        Map<String, List<AuditConfigChanges.Change>> addedUnderAgentKeys = new LinkedHashMap<>();
        Set<Integer> arming = new HashSet<>();
        for (AuditConfigChanges.Change c : changes) {
            AuditRuleSet.Owner owner = AuditRuleSet.ownerOf(c.key());
            if (owner != null && owner.pid() == c.pid() && c.op().equals("add_rule")) {
                arming.add(c.pid()); // an agent arming beside this one, if its rules are an agent's
            }
        }
        boolean checkAdded = false;
        boolean checkRemoved = false;
        for (AuditConfigChanges.Change c : changes) {
            if (c.pid() == self || registersItself(c)) {
                continue;
            }
            AuditRuleSet.Owner owner = AuditRuleSet.ownerOf(c.key());
            boolean unnamed = c.pid() < 0;
            boolean agent = peers.contains(c.pid()) || arming.contains(c.pid());
            if ((unnamed || agent) && harmless(c)) {
                continue;
            }
            boolean ruleAdded = c.op().equals("add_rule") && !c.refused();
            if (owner != null && owner.pid() == self) { // a key naming this probe, its own or one made to look so
                if (!unnamed) {
                    tampering.add(c);
                } else if (ruleAdded) {
                    checkAdded = true; // this probe's own put-back, or a rule of someone's under its key: the rules tell
                } else {
                    checkRemoved = true; // this probe's own deletion of such a rule, or its rule taken: the rules tell
                }
                continue;
            }
            if (ruleAdded && owner != null) {
                addedUnderAgentKeys.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c); // checked below
                continue;
            }
            if (owner != null && (unnamed || agent || owner.pid() == c.pid()
                    || c.op().equals("remove_rule") && !AuditPeers.alive(owner.pid()))) {
                continue; // another agent's rules: it closing, or one sweeping a dead one's
            }
            tampering.add(c); // this probe removes no rule of its own while it runs, nor sets audit otherwise
        }
        changes.clear();
        if (tampering.isEmpty() && !checkAdded && !checkRemoved && addedUnderAgentKeys.isEmpty()) {
            return;
        }
        PutBack done = putBack(r -> addedUnderAgentKeys.containsKey(r.key()));
        addedUnderAgentKeys.forEach((key, adds) -> {
            for (AuditConfigChanges.Change c : adds) {
                if (done.noAgentsKeys().contains(key)) {
                    tampering.add(c);
                } else if (c.pid() >= 0 && AuditRuleSet.ownerOf(key).pid() == c.pid()) {
                    peers.add(c.pid()); // an agent arming beside this one
                }
            }
        });
        if (tampering.isEmpty()) {
            // what an unnamed change under this probe's key did, as the rules tell: a rule not its own
            // added, or one of its own taken (a rule found missing after an addition is another
            // change's, whose record names its maker)
            if (checkAdded && done.foreign() > 0 || checkRemoved && done.rulesBack() > 0) {
                declare(out, -1, null, "audit rules under this agent's key changed by an unnamed process", done);
            } else if (newTrouble(done)) {
                declare(out, -1, null, "audit changed", done); // what it found it could not put back
            }
            return;
        }
        for (AuditConfigChanges.Change c : tampering) {
            declare(out, c.pid(), c.comm(), c.describe(), done);
        }
    }

    /**
     * Compares audit with what the agents keep, as {@link #settle}'s put-back does after tampering —
     * the rules under this probe's key, rules that keep records from being made (under another
     * agent's key too: no agent adds one), the settings — and
     * declares what it had to put back, or could not (audit locked, a rule the kernel will not
     * delete: each time that differs from what was declared last), as a change no record told of.
     * To be called with every record read and no change waiting for its sender, so that what a
     * record tells is settled first.
     */
    void check(ProbeOutput out, long periodSeconds) {
        // not the other rules under other agents' keys: an agent of another version adds rules this
        // one does not know, and they take nothing from anyone
        PutBack done = putBack(AuditRule::suppresses);
        if (done.changed() || newTrouble(done)) {
            declare(out, -1, null, "audit changed with no record of the change read (found by the agent's check of audit"
                    + " every " + periodSeconds + " s)", done);
        }
    }

    /** Whether {@code done} could not do something that differs from what was declared last. */
    private boolean newTrouble(PutBack done) {
        return done.trouble() != null && !done.trouble().equals(troubleDeclared);
    }

    /** Declares {@code what} the process {@code pid} did, with what the put-back did and could not. */
    private void declare(ProbeOutput out, int pid, String comm, String what, PutBack done) {
        out.tampered(pid, comm, what + "; " + done.said());
        if (done.trouble() != null) {
            troubleDeclared = done.trouble();
        }
    }

    /**
     * What {@link #putBack} did: rules deleted from under the probe's key, rules of its own added
     * back, the other agents' keys it deleted rules from that were no agent's, whether it changed
     * anything, what it could not do ({@code null}: nothing), and what it said of all of it.
     */
    private record PutBack(int foreign, int rulesBack, Set<String> noAgentsKeys, boolean changed, String trouble,
                           String said) {
    }

    /** Whether {@code c} is a process asking to be the audit daemon itself: refused while one lives, and no loss to this probe. */
    private static boolean registersItself(AuditConfigChanges.Change c) {
        return c.pid() >= 0 && "audit_pid".equals(c.setting()) && c.value().equals(Integer.toString(c.pid()));
    }

    /**
     * Whether {@code c}, whoever made it, took nothing from the agents: refused, a setting set to
     * their value, a rule removed under no agent's key by an unnamed process.
     */
    private boolean harmless(AuditConfigChanges.Change c) {
        if (c.refused()) {
            return true;
        }
        if (c.pid() < 0 && c.op().equals("remove_rule") && AuditRuleSet.ownerOf(c.key()) == null) {
            // no agent's records come from it: a rule of the machine's, or one that kept records from
            // being made — this probe's own put-back deletes those, and its deletions come unnamed
            return true;
        }
        if (!c.op().equals("set") || c.setting() == null) {
            return false;
        }
        return switch (c.setting()) {
            case "audit_enabled" -> c.value().equals(Integer.toString(AuditStatus.ON));
            case "audit_backlog_limit" -> c.value().equals(Integer.toString(AuditProbe.BACKLOG_LIMIT));
            case "audit_backlog_wait_time" -> c.value().equals("0");
            case "audit_failure" -> c.value().equals(Integer.toString(keep.failure()));
            case "audit_rate_limit" -> c.value().equals(Integer.toString(keep.rateLimit()));
            // 0 only from the daemon itself (the kernel refuses anyone else): its own place, given up
            case "audit_pid" -> c.value().equals(Integer.toString(self)) || c.value().equals("0");
            default -> false;
        };
    }

    /**
     * Makes the rules under the probe's key exactly its own — deletes the others, adds the missing —
     * and its settings its own again; deletes the rules under the other agents' keys that {@code
     * judged} accepts and that are no agent's ({@link AuditRuleSet#agentRules}); says what it did,
     * {@value #NOTHING} if nothing. Tries nothing while audit is locked. Never throws: what the kernel
     * refuses, or a rule it lists but will not delete (a path in an {@code exe} field that does not
     * resolve from this process's root answers {@code ENOENT}), is the put-back's trouble, said.
     */
    private PutBack putBack(Predicate<AuditRule> judged) {
        try (PutBackRequests refused = new PutBackRequests(unmovable)) {
            AuditStatus now = control.status();
            if (now.enabled() == AuditStatus.LOCKED) {
                String locked = "audit is locked (enabled=2): no change can be put back until reboot";
                return new PutBack(0, 0, Set.of(), false, locked, locked);
            }
            List<AuditRule> present = new ArrayList<>();
            int foreign = 0;
            int noAgents = 0;
            int silencing = 0;
            Set<String> noAgentsKeys = new HashSet<>();
            Map<String, List<AuditRule>> agentRules = new HashMap<>();
            List<AuditRule> own = rules.rules();
            for (AuditRule r : control.rules()) {
                AuditRuleSet.Owner owner = AuditRuleSet.ownerOf(r.key());
                if (owner != null && owner.pid() == self) { // its own key, or one made to look so: only its own rules stay
                    if (own.contains(r) && !present.contains(r)) {
                        present.add(r);
                    } else if (refused.delete(control, r)) {
                        foreign++;
                    }
                } else if (owner != null && judged.test(r)
                        && !agentRules.computeIfAbsent(r.key(), AuditRuleSet::agentRules).contains(r)) {
                    noAgentsKeys.add(r.key());
                    if (refused.delete(control, r)) {
                        noAgents++;
                    }
                } else if (r.suppresses() && owner == null && !found.contains(r) && refused.delete(control, r)) {
                    silencing++; // added since the probe armed, to keep records from being made
                }
            }
            int rulesBack = 0;
            for (AuditRule rule : own) {
                if (!present.contains(rule) && refused.add(control, rule)) {
                    rulesBack++;
                    if (!added.contains(rule)) {
                        added.add(rule);
                    }
                }
            }
            int mask = now.enabled() == AuditStatus.OFF ? AuditStatus.MASK_ENABLED : 0;
            if (daemon.getAsBoolean()) { // the daemon's settings are the agents' while one is the daemon, else auditd's
                if (now.backlogLimit() != AuditProbe.BACKLOG_LIMIT || now.backlogWaitTime() != 0) {
                    mask |= AuditStatus.MASK_BACKLOG_LIMIT | AuditStatus.MASK_BACKLOG_WAIT_TIME;
                }
                mask |= now.failure() != keep.failure() ? AuditStatus.MASK_FAILURE : 0;
                mask |= now.rateLimit() != keep.rateLimit() ? AuditStatus.MASK_RATE_LIMIT : 0;
            }
            if (mask != 0 && !refused.set(control, mask, now.withEnabled(AuditStatus.ON)
                    .withBacklogLimit(AuditProbe.BACKLOG_LIMIT).withBacklogWaitTime(0).withFailure(keep.failure())
                    .withRateLimit(keep.rateLimit()))) {
                mask = 0;
            }
            String trouble = refused.trouble(control);
            if (trouble == null) {
                troubleDeclared = null; // gone: should it come back, it is news again
                unmovable.clear();
            }
            boolean changed = foreign + noAgents + silencing + rulesBack != 0 || mask != 0;
            String said = (!changed ? NOTHING : "put back ("
                    + (foreign == 0 ? "" : foreign + " rules not the agent's deleted from under its key, ")
                    + (noAgents == 0 ? "" : noAgents + " rules that are no agent's deleted from under another agent's key, ")
                    + (silencing == 0 ? "" : silencing + " rules that keep records from being made deleted, ")
                    + rulesBack + " rules"
                    + ((mask & AuditStatus.MASK_ENABLED) != 0 ? ", audit on" : "")
                    + ((mask & AuditStatus.MASK_BACKLOG_LIMIT) != 0 ? ", backlog settings" : "")
                    + ((mask & AuditStatus.MASK_FAILURE) != 0 ? ", failure mode " + keep.failure() : "")
                    + ((mask & AuditStatus.MASK_RATE_LIMIT) != 0 ? ", rate limit " + keep.rateLimit() : "") + ")")
                    + (trouble == null ? "" : "; " + trouble);
            return new PutBack(foreign, rulesBack, noAgentsKeys, changed, trouble, said);
        } catch (ErrnoException e) {
            String trouble = "audit could not be read to put it back: " + e.getMessage();
            return new PutBack(0, 0, Set.of(), false, trouble, trouble);
        }
    }
}
