package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;

/**
 * What a root process that wants the agent blind does, in a JVM of its own (a pid that is no
 * agent's): deletes every rule under the filter key given as the argument, then switches audit
 * off. Prints the number of rules it deleted and, after a space, the monotonic clock's reading
 * (CLOCK_MONOTONIC, the clock of every frame's {@code guest_monotonic_ns}) once audit was off.
 */
public final class AuditTamperer {
    private AuditTamperer() {
    }

    public static void main(String[] args) throws Exception {
        try (AuditNetlink audit = new AuditNetlink("tamperer", false, 64 * 1024)) {
            int deleted = 0;
            for (AuditRule r : audit.rules()) {
                if (args[0].equals(r.key()) && audit.deleteRule(r)) {
                    deleted++;
                }
            }
            audit.setStatus(AuditStatus.MASK_ENABLED, audit.status().withEnabled(AuditStatus.OFF));
            System.out.println(deleted + " " + System.nanoTime());
        }
    }
}
