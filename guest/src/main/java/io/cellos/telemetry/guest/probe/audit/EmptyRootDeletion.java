package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.Mounts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deletes an audit rule with {@code exe} fields that the kernel will not delete for the probe: to
 * parse a deletion it resolves each such path's parent directory from the requester's root, and a
 * rule added from another root (a chroot, a mount namespace) may name a path that does not resolve
 * in the agent's — or that runs through a file there ({@code ENOENT}, {@code ENOTDIR}). It then
 * matches the rule by the path's text. So the deletion is sent from a thread of its own whose root
 * is an empty tmpfs, in a mount namespace of that thread's own, in which those parent directories
 * are made; the namespace, and the tmpfs, go with the thread.
 *
 * <p>The thread is waited for {@value #PATIENCE_MS} ms at most (a request to audit can wait on its
 * lock, which another process may hold): past that the deletion is taken as failed, and the thread
 * left to end by itself.
 */
final class EmptyRootDeletion {
    static final long PATIENCE_MS = 2_000;
    /** Where the tmpfs is mounted in the thread's own namespace: a directory any Linux the agent runs on has. */
    private static final String MOUNT_POINT = "/proc";

    private EmptyRootDeletion() {
    }

    /**
     * Deletes {@code rule} from an empty root in which its {@code exe} paths' parents exist.
     *
     * @return whether the kernel deleted it
     * @throws Exception what failed, the kernel's refusal among them, or a {@link TimeoutException}
     */
    static boolean delete(AuditRule rule) throws Exception {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("cellos-audit-empty-root").start(() -> {
            try {
                Mounts.unshareNamespace();
                Mounts.mountTmpfs(MOUNT_POINT);
                Mounts.changeRoot(MOUNT_POINT);
                for (String path : rule.exePaths()) {
                    Path parent = Path.of(path).getParent();
                    if (parent != null) {
                        Files.createDirectories(parent);
                    }
                }
                try (AuditNetlink control = new AuditNetlink("audit control socket (empty root)", false, 64 * 1024)) {
                    done.complete(control.deleteRule(rule));
                }
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            return done.get(PATIENCE_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }
}
