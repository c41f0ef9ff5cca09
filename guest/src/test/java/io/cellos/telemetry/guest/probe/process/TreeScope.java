package io.cellos.telemetry.guest.probe.process;

import io.cellos.telemetry.guest.probe.KnownProcesses;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test's scope: one process and its descendants, learnt only from what a process probe tells
 * its output's {@link KnownProcesses}, as the agent's scope does. Exited processes stay members, so that a
 * test can still ask about them.
 */
final class TreeScope implements KnownProcesses {
    private final Set<Integer> members = ConcurrentHashMap.newKeySet();

    private TreeScope(int root) {
        members.add(root);
    }

    /** This JVM and whatever it starts. */
    static TreeScope ofThisJvm() {
        return new TreeScope((int) ProcessHandle.current().pid());
    }

    @Override
    public void forked(int parent, int pid, String comm, long nanos) {
        if (members.contains(parent)) {
            members.add(pid);
        }
    }

    @Override
    public boolean inScope(int pid) {
        return members.contains(pid);
    }
}
