package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.wire.ProbeEvent;

/**
 * Where a probe puts what it observed: the agent's bounded queue. Never blocks: a full queue drops
 * the event and counts it.
 */
public interface ProbeOutput {
    /**
     * The comm of a process a probe cannot name (yet): the agent holds such an event a moment for
     * the name an exec record brings.
     */
    String UNKNOWN_COMM = "?";

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
     * Emits {@code event} if process {@code pid}, or its parent {@code ppid} ({@code -1}: none
     * known), is in scope. A probe whose records can be read before the process connector's (audit)
     * uses this rather than {@link #inScope}: the agent decides, for what is not in scope yet, once
     * every probe has been read in the same wake — by then the fork events that came first are in.
     */
    default void emitInScope(ProbeEvent event, int pid, int ppid) {
        if (inScope(pid) || ppid > 0 && inScope(ppid)) {
            emit(event);
        }
    }

    /**
     * Tells the agent the name process {@code pid} has at its fork, so that another probe can name it
     * after it is gone from {@code /proc}. The agent keeps a bounded number of names.
     */
    default void named(int pid, String comm) {
    }

    /**
     * Tells the agent that process {@code pid} executed a program, and the name it has since, or
     * {@code null} when it could not be read (the process was gone): then the name from its fork is
     * no longer its own, and the agent waits for one (audit's exec record brings it).
     */
    default void execed(int pid, String comm) {
    }

    /** The last name the agent was told for {@code pid}, or {@code null}. */
    default String nameOf(int pid) {
        return null;
    }
}
