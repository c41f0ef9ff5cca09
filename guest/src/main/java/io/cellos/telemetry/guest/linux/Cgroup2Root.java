package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A descriptor of the root directory of the cgroup v2 hierarchy, the target a cgroup BPF program
 * is attached to so that it runs for every process: a program on a cgroup applies to all its
 * descendants.
 *
 * <p>Where: the first {@code cgroup2} mount in the calling thread's mount namespace
 * ({@code /sys/fs/cgroup} on a unified hierarchy, {@code /sys/fs/cgroup/unified} on a hybrid one).
 * When none is mounted (a microVM's init may mount none), the hierarchy is mounted on a private
 * directory made for it under {@code java.io.tmpdir} ({@code cellos-cgroup2-*}), which {@link #close}
 * detaches and removes; nothing of it outlives this object but a stale directory if the process dies.
 *
 * <p>Namespaces: what a {@code cgroup2} mount shows is the cgroup namespace's root of the thread that
 * mounted it, and a mount listed in mountinfo with a root other than {@code /} shows a subtree. The
 * agent runs in the guest's initial cgroup namespace, where the root is the machine's; an agent run
 * inside a child cgroup namespace (a container) would attach to that namespace's root and see only
 * the processes of its subtree. This class does not (and from inside the namespace cannot) tell the
 * two apart.
 *
 * <p>Owns the descriptor and, when it made one, the mount. Not thread-safe.
 */
public final class Cgroup2Root implements AutoCloseable {
    private final Fd fd;
    private final Path mountedHere;

    private Cgroup2Root(Fd fd, Path mountedHere) {
        this.fd = fd;
        this.mountedHere = mountedHere;
    }

    /**
     * Opens the root of the mounted hierarchy, or mounts one privately.
     *
     * @throws IOException naming the mount point, the call and the errno
     */
    public static Cgroup2Root open() throws IOException {
        List<String> mounted = Mounts.mountPointsOfType("cgroup2");
        if (!mounted.isEmpty()) {
            return new Cgroup2Root(openDirectory(mounted.getFirst()), null);
        }
        Path dir = Files.createTempDirectory("cellos-cgroup2-");
        try {
            Mounts.mountCgroup2(dir.toString());
        } catch (ErrnoException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
        try {
            return new Cgroup2Root(openDirectory(dir.toString()), dir);
        } catch (IOException | RuntimeException e) {
            try {
                unmount(dir);
            } catch (RuntimeException u) {
                e.addSuppressed(u);
            }
            throw e;
        }
    }

    private static Fd openDirectory(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) Libc.OPEN.call(path, arena.allocateFrom(path),
                    OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
            return new Fd(fd, "cgroup2 root " + path);
        }
    }

    /** The root directory's descriptor; valid until {@link #close}. */
    public Fd fd() {
        return fd;
    }

    /** The private mount point made for it, or {@code null} if an existing mount was used. */
    public Path mountedHere() {
        return mountedHere;
    }

    /**
     * Closes the descriptor; detaches and removes the private mount if one was made.
     *
     * @throws UncheckedIOException naming the mount point if it could not be detached or removed
     */
    @Override
    public void close() {
        fd.close();
        if (mountedHere != null) {
            unmount(mountedHere);
        }
    }

    private static void unmount(Path dir) {
        try {
            Mounts.detach(dir.toString());
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("the private cgroup2 mount " + dir + " stays behind", e);
        }
    }
}
