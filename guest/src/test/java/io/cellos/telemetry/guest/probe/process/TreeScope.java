package io.cellos.telemetry.guest.probe.process;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * A test's scope: one process and its descendants, learnt only from what a process probe tells its
 * {@link ProcessTreeListener}, as the agent's scope does. Exited processes stay members, so that a
 * test can still ask about them.
 */
final class TreeScope implements ProcessTreeListener, IntPredicate {
    private final Set<Integer> members = ConcurrentHashMap.newKeySet();

    private TreeScope(int root) {
        members.add(root);
    }

    /** This JVM and whatever it starts. */
    static TreeScope ofThisJvm() {
        return new TreeScope((int) ProcessHandle.current().pid());
    }

    @Override
    public void onFork(int parentTgid, int childTgid) {
        if (members.contains(parentTgid)) {
            members.add(childTgid);
        }
    }

    @Override
    public void onExit(int tgid) {
    }

    @Override
    public boolean test(int pid) {
        return members.contains(pid);
    }
}
