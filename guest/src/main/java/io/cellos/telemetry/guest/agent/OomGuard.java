package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.OomScore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps the agent, and the processes it guards (init), out of the OOM killer's reach:
 * {@code oom_score_adj} set to -1000 at start, and looked at again at most every
 * {@link #INTERVAL_NANOS} when the loop wakes anyway (an idle agent wakes for its heartbeat). A
 * raised score makes the kernel kill that process first when memory runs short: the change is put
 * back and told in words.
 *
 * <p>Lowering a score needs {@code CAP_SYS_RESOURCE}. Where the agent has not got it (some
 * sandboxes withhold it even from root), the score it found is the one it keeps watch over: a
 * rise is still told, with the reason it could not be put back.
 *
 * <p>Confined to the agent's loop thread.
 */
final class OomGuard {
    static final long INTERVAL_NANOS = 1_000_000_000L;

    /** Guards nothing: for an agent run in a test's own JVM. */
    static final OomGuard NONE = new OomGuard();

    private final List<String> pids = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    /** The score each process is to keep: -1000, or the one found when it could not be set. */
    private final List<Integer> kept = new ArrayList<>();
    private String note = "";
    private long lastCheck;

    private OomGuard() {
    }

    /** Sets the score of the agent and of each of {@code guarded} to {@link OomScore#NEVER}, where it can. */
    static OomGuard of(List<Integer> guarded, long now) throws IOException {
        OomGuard g = new OomGuard();
        g.add("self", "the agent");
        for (int pid : guarded) {
            g.add(Integer.toString(pid), "init (pid " + pid + ")");
        }
        g.lastCheck = now;
        return g;
    }

    private void add(String pid, String name) throws IOException {
        Integer found = OomScore.read(pid);
        if (found == null) {
            return; // gone already
        }
        pids.add(pid);
        names.add(name);
        if (OomScore.trySet(pid, OomScore.NEVER)) {
            kept.add(OomScore.NEVER);
        } else {
            kept.add(found);
            note = "oom_score_adj kept at what it was (" + found + "), not -1000: no CAP_SYS_RESOURCE";
        }
    }

    /** Why a score could not be set to -1000, for the agent's ready line; empty when it could. */
    String note() {
        return note;
    }

    /** Looks, if the interval has passed; each rise, put back where it can be, is told to {@code tampered}. */
    void check(long now, Consumer<String> tampered) throws IOException {
        if (now - lastCheck < INTERVAL_NANOS) {
            return;
        }
        lastCheck = now;
        for (int i = 0; i < pids.size(); i++) {
            Integer v = OomScore.read(pids.get(i));
            if (v != null && v > kept.get(i)) {
                boolean back = OomScore.trySet(pids.get(i), kept.get(i));
                tampered.accept("oom_score_adj of " + names.get(i) + " raised to " + v + "; "
                        + (back ? "set back to " + kept.get(i) : "could not be set back (no CAP_SYS_RESOURCE)"));
            }
        }
    }
}
