package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.SyscallTable;

/**
 * What a root process that wants the agent blind does, in a JVM of its own (a pid that is no
 * agent's): deletes every rule under the filter key given as the first argument, then switches
 * audit off. Prints the number of rules it deleted and, after a space, the monotonic clock's
 * reading (CLOCK_MONOTONIC, the clock of every frame's {@code guest_monotonic_ns}) once audit was
 * off.
 *
 * <p>With a second argument {@code N}, does so {@code N} times, a line each, each time once the
 * rules it deleted are all back (within 10 s, else it fails with exit status 1). With {@code
 * pose-as-agent} instead, poses as an agent arming beside the probe — a rule of its own under an
 * agent's key naming its own pid, one that is no agent's — and switches audit off; prints its rule.
 */
public final class AuditTamperer {
    private AuditTamperer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[1].equals("pose-as-agent")) {
            poseAsAgent();
            return;
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        try (AuditNetlink audit = new AuditNetlink("tamperer", false, 64 * 1024)) {
            int deleted = 0;
            for (int round = 0; round < rounds; round++) {
                if (round > 0 && !rulesBack(audit, args[0], deleted)) {
                    System.out.println("the rules were not put back within 10 s after round " + round);
                    System.exit(1);
                }
                deleted = 0;
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

    private static void poseAsAgent() throws Exception {
        try (AuditNetlink audit = new AuditNetlink("tamperer", false, 64 * 1024)) {
            AuditRule mine = AuditRule.syscallExit(SyscallTable.number("bind"))
                    .where(AuditRule.FIELD_ARCH, AuditRule.OP_EQUAL, AuditRule.ARCH_X86_64)
                    .withKey("cellos-telemetry:" + ProcessHandle.current().pid() + ":0:64:15000");
            if (!audit.addRule(mine)) {
                System.out.println("could not add " + mine);
                System.exit(1);
            }
            audit.setStatus(AuditStatus.MASK_ENABLED, audit.status().withEnabled(AuditStatus.OFF));
            System.out.println(mine.key());
        }
    }

    private static boolean rulesBack(AuditNetlink audit, String key, int count) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (audit.rules().stream().filter(r -> key.equals(r.key())).count() >= count
                    && audit.status().enabled() == AuditStatus.ON) {
                return true;
            }
            Thread.sleep(10); // the agent's put-back is announced to nobody: polled
        }
        return false;
    }
}
