package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.guest.exec.FileKey;

/**
 * What the agent knows of the guest's processes, as the probes see it: which are in scope, and
 * the name each was last known by — kept after a process is gone from {@code /proc}, so that
 * another probe can still name it. The process probe tells it what the kernel reported (forks,
 * execs, exits); audit tells it the name an exec record brings.
 *
 * <p>Called on the agent's loop thread, in the order the kernel reported the changes. Pids are
 * thread-group ids (process ids) in the initial PID namespace; threads are never told.
 */
@FunctionalInterface
public interface KnownProcesses {
    /** Whether {@code pid} is within the agent's scope (the scope root's process tree, or everything). */
    boolean inScope(int pid);

    /**
     * Whether an observation of process {@code pid}, child of {@code ppid} ({@code -1}: not
     * known), is the scope's: the process is in it, or its parent is (a process whose fork was
     * not heard yet, or was forgotten).
     */
    default boolean covers(int pid, int ppid) {
        return inScope(pid) || ppid > 0 && inScope(ppid);
    }

    /**
     * {@code parent} forked {@code pid} at {@code nanos} ({@code CLOCK_MONOTONIC}), with the name it
     * was born with ({@code null}: unknown); told before anyone asks about {@code pid}, and a
     * parent's fork always before its child's — so that even a descendant that lives a microsecond
     * is in its ancestor's scope. The agent keeps a bounded number of processes.
     */
    default void forked(int parent, int pid, String comm, long nanos) {
    }

    /**
     * {@code pid} executed a program at {@code nanos}, and has the name {@code comm} since, or
     * {@code null} when it could not be read (the process was gone): then the name from its fork
     * is no longer its own, and the agent waits for one (audit's exec record brings it). An exec
     * also shows the process alive: an exit heard for it before was its old thread-group leader's,
     * which the kernel reports when another thread of a multi-threaded process calls
     * {@code execve}.
     *
     * @param file the key of the file the kernel executed, where the probe read it from the kernel
     *             at the exec (eBPF), so that its hash is found without {@code /proc/PID/exe}; null
     *             where it did not
     */
    default void execed(int pid, String comm, long nanos, FileKey file) {
    }

    /**
     * Audit's exec record names the program {@code pid} runs now. The {@code process.exec} event
     * it declares is dated with the process connector's exact stamp of the same exec where there
     * is one: audit's clock is a coarse wall clock.
     */
    default void execNamed(int pid, String comm) {
    }

    /** {@code pid} ended (told after its exit was declared); its name and its scope stay known a while. */
    default void ended(int pid) {
    }

    /** The last name the agent was told for {@code pid}, or {@code null}. */
    default String nameOf(int pid) {
        return null;
    }
}
