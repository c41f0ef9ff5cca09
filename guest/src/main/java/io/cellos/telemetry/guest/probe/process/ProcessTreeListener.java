package io.cellos.telemetry.guest.probe.process;

/**
 * Hears from the process probes that a process forked or exited, before the event is declared:
 * the agent's scope tracking learns the process tree from it, so that even a descendant that lives
 * for a microsecond is attributed to its ancestor.
 *
 * <p>Called on the loop thread, in the order the kernel reported the changes; a parent's fork is
 * always heard before its child's. Pids are thread-group ids (process ids) in the initial PID
 * namespace; threads are never reported.
 */
public interface ProcessTreeListener {
    /** Hears nothing. */
    ProcessTreeListener NONE = new ProcessTreeListener() {
        @Override
        public void onFork(int parentTgid, int childTgid) {
        }

        @Override
        public void onExit(int tgid) {
        }
    };

    /** Process {@code parentTgid} forked {@code childTgid}; called before the scope is asked about the child. */
    void onFork(int parentTgid, int childTgid);

    /** Process {@code tgid} exited; called after the scope was asked about it. */
    void onExit(int tgid);

    /**
     * Process {@code tgid} executed a program, so it is alive: an exit heard for it before was its
     * old thread-group leader's, which the kernel reports when another thread of a multi-threaded
     * process (a JVM, a Go program) calls {@code execve}.
     */
    default void onExec(int tgid) {
    }
}
