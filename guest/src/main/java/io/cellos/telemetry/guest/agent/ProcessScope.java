package io.cellos.telemetry.guest.agent;


import io.cellos.telemetry.guest.linux.ProcFs;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which processes the agent declares: everything in the guest, or one process and all its
 * descendants ({@code --scope-root PID}).
 *
 * <p>The tree is learnt from the process connector's fork events, so even a descendant that lives
 * a microsecond is attributed; processes already there when the agent starts are found by one walk
 * of {@code /proc}. Exited pids stay in scope for a while, because observations from other probes
 * (an audit record of the process's last connect) may be handled after its exit event.
 *
 * <p>Confined to the agent's loop thread.
 */
public final class ProcessScope {
    private static final int RECENTLY_EXITED = 4096;

    private final int root;
    private final Set<Integer> members = new HashSet<>();
    private final int[] exited = new int[RECENTLY_EXITED];
    private int exitedNext;
    private final Set<Integer> exitedSet = new HashSet<>();

    private ProcessScope(int root) {
        this.root = root;
    }

    /** Everything in the guest. */
    public static ProcessScope everything() {
        return new ProcessScope(-1);
    }

    /** {@code root} and its descendants, those alive now found in {@code /proc}. */
    public static ProcessScope tree(int root) throws IOException {
        ProcessScope s = new ProcessScope(root);
        s.members.add(root);
        s.adoptExistingDescendants();
        return s;
    }

    public boolean isEverything() {
        return root < 0;
    }

    public int root() {
        return root;
    }

    public boolean contains(int pid) {
        return root < 0 || members.contains(pid) || exitedSet.contains(pid);
    }

    /** A process forked: the child is in scope if its parent is. */
    void onFork(int parent, int child) {
        if (root >= 0 && members.contains(parent)) {
            members.add(child);
        }
    }

    /** A process exited: it stays answerable for a while, then is forgotten. */
    void onExit(int pid) {
        if (root < 0 || !members.remove(pid)) {
            return;
        }
        int old = exited[exitedNext];
        if (old != 0) {
            exitedSet.remove(old);
        }
        exited[exitedNext] = pid;
        exitedSet.add(pid);
        exitedNext = (exitedNext + 1) % RECENTLY_EXITED;
    }

    /**
     * A process executed a program: if an exit was heard for it (its old thread-group leader's, when
     * another thread of it called {@code execve}), it is a member again, so that its next children
     * are in scope.
     */
    void onExec(int pid) {
        if (root >= 0 && exitedSet.remove(pid)) {
            members.add(pid);
        }
    }

    /** Adds every live descendant of the members, from one walk of {@code /proc} ({@link ProcFs}). */
    private void adoptExistingDescendants() throws IOException {
        Map<Integer, Integer> parentOf = new HashMap<>();
        try (ProcFs proc = new ProcFs()) {
            int n = proc.listProcesses();
            for (int i = 0; i < n; i++) {
                int pid = proc.pid(i);
                if (proc.stat(pid)) { // false: gone since the listing
                    parentOf.put(pid, proc.statParent());
                }
            }
        }
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Map.Entry<Integer, Integer> e : parentOf.entrySet()) {
                if (members.contains(e.getValue()) && members.add(e.getKey())) {
                    grew = true;
                }
            }
        }
    }
}
