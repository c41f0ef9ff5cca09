package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.wire.ProbeEvent;

/**
 * Where a probe puts what it observed: the agent's bounded queue. Never blocks: a full queue drops
 * the event and counts it.
 */
public interface ProbeOutput {
    /** Offers one observation. */
    void emit(ProbeEvent event);

    /**
     * Counts {@code count} observations that were lost before they became events (a kernel queue
     * overrun, a sequence gap), so that the loss reaches the host in {@code dropped_total}.
     */
    void lost(long count);

    /** Whether {@code pid} is within the agent's scope (the scope root's process tree, or everything). */
    boolean inScope(int pid);

    /**
     * Tells the agent the name process {@code pid} has now (at fork, at exec), so that another probe
     * can name it after it is gone from {@code /proc}; {@code null} when it changed to a name not
     * known yet (an exec seen after the process was gone), so that the old one is not used. The
     * agent keeps a bounded number of names.
     */
    default void named(int pid, String comm) {
    }

    /** The last name the agent was told for {@code pid}, or {@code null}. */
    default String nameOf(int pid) {
        return null;
    }
}
