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
     * known), is in scope. A probe whose records come through a queue of their own, later than the
     * process connector's messages about the same process (audit), uses this rather than
     * {@link #emit}: the agent decides once the process probe has read everything up to the record —
     * by then the fork that makes the process in scope is known — and dates the event no earlier
     * than that process's fork or exec (see {@link #execNamed}).
     */
    default void emitInScope(ProbeEvent event, int pid, int ppid) {
        if (covers(pid, ppid)) {
            emit(event);
        }
    }

    /**
     * Whether an observation of process {@code pid}, child of {@code ppid} ({@code -1}: not
     * known), is the scope's: the process is in it, or its parent is (a process whose fork was
     * not heard yet, or was forgotten).
     */
    default boolean covers(int pid, int ppid) {
        return inScope(pid) || ppid > 0 && inScope(ppid);
    }

    /**
     * The process probe saw {@code pid} forked at {@code nanos} ({@code CLOCK_MONOTONIC}), with the
     * name it was born with ({@code null}: unknown), so that another probe can name it after it is
     * gone from {@code /proc}. The agent keeps a bounded number of processes.
     */
    default void forked(int pid, String comm, long nanos) {
    }

    /**
     * The process probe saw {@code pid} execute a program at {@code nanos}, and the name it has
     * since, or {@code null} when it could not be read (the process was gone): then the name from
     * its fork is no longer its own, and the agent waits for one (audit's exec record brings it).
     */
    default void execed(int pid, String comm, long nanos) {
    }

    /**
     * Audit's exec record names the program {@code pid} runs now. The {@code process.exec} event
     * it declares (through {@link #emitInScope}) is dated with the process connector's exact stamp
     * of the same exec where there is one: audit's clock is a coarse wall clock.
     */
    default void execNamed(int pid, String comm) {
    }

    /** The process probe saw {@code pid} end (after declaring it); its name stays known a while. */
    default void ended(int pid) {
    }

    /**
     * Declares {@code agent.tampered}: {@code what} changed the agent's means of observation, made
     * by process {@code actorPid} named {@code actorComm} where the kernel said which ({@code -1}
     * and {@code null} otherwise: the agent names itself).
     */
    default void tampered(int actorPid, String actorComm, String what) {
    }

    /** The last name the agent was told for {@code pid}, or {@code null}. */
    default String nameOf(int pid) {
        return null;
    }
}
