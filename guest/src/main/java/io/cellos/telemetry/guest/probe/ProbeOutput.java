package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.wire.ProbeEvent;

/**
 * Where a probe puts what it observed: the agent's bounded queue. Never blocks: a full queue drops
 * the event and counts it. What the agent knows of processes, which probes consult and tell, is
 * beside it ({@link #processes}).
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

    /** What the agent knows of the processes: the scope, and their names. */
    KnownProcesses processes();

    /**
     * Emits {@code event} if process {@code pid}, or its parent {@code ppid} ({@code -1}: none
     * known), is in scope ({@link KnownProcesses#covers}). A probe whose records come through a
     * queue of their own, later than the process connector's messages about the same process
     * (audit), uses this rather than {@link #emit}: the agent decides once the process probe has
     * read everything up to the record — by then the fork that makes the process in scope is known
     * — and dates the event no earlier than that process's fork or exec.
     */
    default void emitInScope(ProbeEvent event, int pid, int ppid) {
        if (processes().covers(pid, ppid)) {
            emit(event);
        }
    }

    /**
     * Declares {@code agent.tampered}: {@code what} changed the agent's means of observation, made
     * by process {@code actorPid} named {@code actorComm} where the kernel said which ({@code -1}
     * and {@code null} otherwise: the agent names itself).
     */
    default void tampered(int actorPid, String actorComm, String what) {
    }
}
