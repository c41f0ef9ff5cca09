package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.LiteralDirectories;
import io.cellos.telemetry.guest.linux.Mounts;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deletes audit rules with {@code exe} fields that the kernel will not delete for the probe: to
 * parse a deletion it resolves each such path's parent directory from the requester's root, and a
 * rule added from another root (a chroot, a mount namespace) may name a path that does not resolve
 * in the agent's — or that runs through a file there ({@code ENOENT}, {@code ENOTDIR}). It then
 * matches the rule by the path's bytes. So the deletions are sent from one thread of their own
 * whose root is an empty tmpfs, in a mount namespace of that thread's own, in which each path's
 * directories are made as the kernel walks them ({@link LiteralDirectories}); the namespace, and
 * the tmpfs, go with the thread, at {@link #close}.
 *
 * <p>One instance serves one put-back, and all its deletions together are waited for {@value
 * #PATIENCE_MS} ms at most (a request to audit can wait on its lock, which another process may
 * hold; a crafted path can be deep): past that, the rest are not tried, and the thread is left to
 * end by itself. Confined to the caller's thread, but for the worker it owns.
 */
final class EmptyRootDeletion implements AutoCloseable {
    static final long PATIENCE_MS = 2_000;
    /** Where the tmpfs is mounted in the thread's own namespace: a directory any Linux the agent runs on has. */
    private static final String MOUNT_POINT = "/proc";
    private static final byte[] ROOT = {'/'};

    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("cellos-audit-empty-root").factory());
    private final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
    /** The worker's own: its socket, opened once its root is the empty one. */
    private AuditNetlink control;
    private boolean spent;

    /**
     * Deletes {@code rule} from the empty root.
     *
     * @return whether the kernel deleted it
     * @throws Exception what failed: the kernel's refusal, a directory that could not be made, or a
     *                   {@link TimeoutException} once the put-back's time for these is spent
     */
    boolean delete(AuditRule rule) throws Exception {
        if (spent) {
            throw new TimeoutException("the " + PATIENCE_MS + " ms for deletions from an empty root are spent");
        }
        try {
            return worker.submit(() -> {
                if (control == null) {
                    // what runs in the empty root is loaded before: a class path directory is not in it
                    control = new AuditNetlink("audit control socket (empty root)", false, 64 * 1024);
                    LiteralDirectories.makeParents(ROOT);
                    Mounts.unshareNamespace();
                    Mounts.mountTmpfs(MOUNT_POINT);
                    Mounts.changeRoot(MOUNT_POINT);
                }
                for (byte[] path : rule.exePaths()) {
                    LiteralDirectories.makeParents(path);
                }
                return control.deleteRule(rule);
            }).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            spent = true;
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /** Closes the worker's socket and lets the worker end, its namespace with it. */
    @Override
    public void close() {
        worker.execute(() -> {
            if (control != null) {
                control.close();
            }
        });
        worker.shutdown();
    }
}
