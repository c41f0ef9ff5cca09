package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.OomScore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps the agent, and the processes it guards (init), out of the OOM killer's reach:
 * {@code oom_score_adj} -1000, looked at again at most every {@link #INTERVAL_NANOS} when the loop
 * wakes anyway (an idle agent wakes for its heartbeat). A change — a raised score makes the kernel
 * kill that process first when memory runs short — is put back and told in words.
 *
 * <p>Confined to the agent's loop thread.
 */
final class OomGuard {
    static final long INTERVAL_NANOS = 1_000_000_000L;

    /** Guards nothing: for an agent run in a test's own JVM. */
    static final OomGuard NONE = new OomGuard();

    private final List<String> pids = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private long lastCheck;

    private OomGuard() {
    }

    /**
     * Sets the score of the agent and of each of {@code guarded} to {@link OomScore#NEVER}.
     *
     * @throws IOException if a score cannot be set (the agent needs {@code CAP_SYS_RESOURCE})
     */
    static OomGuard of(List<Integer> guarded, long now) throws IOException {
        OomGuard g = new OomGuard();
        g.pids.add("self");
        g.names.add("the agent");
        for (int pid : guarded) {
            g.pids.add(Integer.toString(pid));
            g.names.add("init (pid " + pid + ")");
        }
        for (String p : g.pids) {
            if (OomScore.read(p) != null) {
                OomScore.write(p, OomScore.NEVER);
            }
        }
        g.lastCheck = now;
        return g;
    }

    /** Looks, if the interval has passed; each change put back is told to {@code tampered}. */
    void check(long now, Consumer<String> tampered) throws IOException {
        if (now - lastCheck < INTERVAL_NANOS) {
            return;
        }
        lastCheck = now;
        for (int i = 0; i < pids.size(); i++) {
            Integer v = OomScore.read(pids.get(i));
            if (v != null && v != OomScore.NEVER) {
                OomScore.write(pids.get(i), OomScore.NEVER);
                tampered.accept("oom_score_adj of " + names.get(i) + " changed to " + v + "; set back to "
                        + OomScore.NEVER);
            }
        }
    }
}
