package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.FileLock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The agents that share one kernel's audit: in a microVM there is one, but a machine running local
 * cells side by side runs one agent per cell, and audit's rules and settings are the kernel's, not
 * any one agent's. Each agent's rules carry its pid and the settings to give back
 * ({@link AuditRuleSet}), so the rules themselves say who is there and what audit was like before
 * the first of them:
 * <ul>
 * <li>an agent that arms or closes deletes the rules of agents that died without closing;</li>
 * <li>the settings to give back are those the oldest agent's rules record — each agent records the
 *     ones it inherited, not the ones its predecessors set;</li>
 * <li>only the last live agent to close gives them back: while another agent's rules remain, audit
 *     stays on and keeps the agents' backlog settings, so that no cell's workload comes to wait on
 *     a full backlog because a neighbour ended.</li>
 * </ul>
 * Arming and closing run under one lock file ({@link #LOCK_PATH}), so that two agents never decide
 * on each other's half-done changes.
 */
final class AuditPeers {
    /** The lock agents take while they change audit's rules and settings. */
    static final String LOCK_PATH = "/run/cellos-telemetry.audit.lock";
    /** How long an agent waits for the lock before going on without it (a stuck or hostile holder). */
    static final long LOCK_PATIENCE_NANOS = 2_000_000_000L;

    /**
     * What the rules say.
     *
     * @param originals   the settings the oldest agent's rules record (audit before any agent), or
     *                    {@code null} when no agent's rules are there
     * @param peers       the live agents other than the caller that have rules in place
     * @param left        every rule audit has once the dead agents' are deleted
     */
    record Sweep(AuditStatus originals, Set<Integer> peers, Set<AuditRule> left) {
        /** Whether a live agent other than the caller has rules in place. */
        boolean othersAlive() {
            return !peers.isEmpty();
        }
    }

    private AuditPeers() {
    }

    /**
     * Takes the agents' lock, waiting at most {@link #LOCK_PATIENCE_NANOS}.
     *
     * @return the lock, or {@code null} when it could not be had: held all that time by another
     *         process, or no {@code /run} to make it in (a guest has one agent, which needs none)
     */
    static FileLock lock() {
        try {
            return FileLock.acquire(LOCK_PATH, LOCK_PATIENCE_NANOS);
        } catch (ErrnoException e) {
            return null;
        }
    }

    /**
     * Deletes the rules of agents that are no longer running and reads what the rules say: the
     * oldest agent's record of the settings (the caller's own, if it is the oldest), whether another
     * live agent is there, and what rules are left.
     *
     * @param current the settings in force now, whose other fields the originals keep
     */
    static Sweep sweep(AuditNetlink control, int self, AuditStatus current) throws ErrnoException {
        AuditStatus originals = null;
        Set<Integer> peers = new HashSet<>();
        Set<AuditRule> left = new HashSet<>();
        for (AuditRule rule : control.rules()) {
            AuditRuleSet.Owner owner = AuditRuleSet.ownerOf(rule);
            left.add(rule);
            if (owner == null) {
                continue;
            }
            if (originals == null) { // the kernel lists rules in the order they were added: the oldest's
                originals = current.withEnabled(owner.settings().enabled())
                        .withBacklogLimit(owner.settings().backlogLimit())
                        .withBacklogWaitTime(owner.settings().backlogWaitTime());
            }
            if (owner.pid() == self) {
                continue;
            }
            if (alive(owner.pid())) {
                peers.add(owner.pid());
            } else {
                control.deleteRule(rule); // gone either way
                left.remove(rule);
            }
        }
        return new Sweep(originals, Set.copyOf(peers), Set.copyOf(left));
    }

    /** Whether a process {@code pid} exists (a reused pid keeps a dead agent's rules: harmless). */
    static boolean alive(int pid) {
        return pid > 0 && Files.exists(Path.of("/proc", Integer.toString(pid)));
    }
}
