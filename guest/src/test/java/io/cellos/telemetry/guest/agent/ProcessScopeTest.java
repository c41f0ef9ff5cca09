package io.cellos.telemetry.guest.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ProcessScope} fed the connector's events for a made-up tree under this JVM. */
class ProcessScopeTest {
    private static final int SELF = (int) ProcessHandle.current().pid();
    // pids above pid_max's default of 4194304 cannot be live processes that /proc would show
    private static final int CHILD = 5_000_001;
    private static final int GRANDCHILD = 5_000_002;
    private static final int LATER = 5_000_003;

    @Test
    void anExitHeardBeforeAnExecOfTheSameProcessDoesNotCutItsTreeOff() throws Exception {
        ProcessScope scope = ProcessScope.tree(SELF);
        scope.onFork(SELF, CHILD);
        assertTrue(scope.contains(CHILD));
        // a thread of CHILD calls execve: the kernel reports its old leader's exit, then the exec
        scope.onExit(CHILD);
        assertTrue(scope.contains(CHILD), "an exited process stays answerable for a while");
        scope.onFork(CHILD, GRANDCHILD);
        assertFalse(scope.contains(GRANDCHILD), "without the exec, an exited parent adopts no child");
        scope.onExec(CHILD);
        scope.onFork(CHILD, LATER);
        assertTrue(scope.contains(LATER), "the exec shows the process alive: its children are in scope");
    }

    @Test
    void anExecOfAProcessOutsideTheScopeBringsNothingIn() throws Exception {
        ProcessScope scope = ProcessScope.tree(SELF);
        scope.onExec(CHILD);
        scope.onFork(CHILD, GRANDCHILD);
        assertFalse(scope.contains(CHILD));
        assertFalse(scope.contains(GRANDCHILD));
    }

    @Test
    void descendantsAlreadyRunningAreFoundInProcAndOthersAreNot() throws Exception {
        Process child = new ProcessBuilder("sh", "-c", "sleep 30 & wait").start();
        try {
            long grandchild = -1;
            for (long deadline = System.nanoTime() + 10_000_000_000L; grandchild < 0 && System.nanoTime() < deadline; ) {
                grandchild = child.children().findFirst().map(ProcessHandle::pid).orElse(-1L);
            }
            assertTrue(grandchild > 0, "sh started its sleep");
            ProcessScope scope = ProcessScope.tree(SELF);
            assertTrue(scope.contains((int) child.pid()));
            assertTrue(scope.contains((int) grandchild), "a grandchild through its parent");
            assertFalse(scope.contains(1), "init is no descendant");
        } finally {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly().waitFor();
        }
    }
}
