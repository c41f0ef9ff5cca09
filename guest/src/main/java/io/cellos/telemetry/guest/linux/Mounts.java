package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The calling thread's mount namespace: {@code unshare(CLONE_NEWNS)}, {@code mount(2)},
 * {@code umount2(2)}. A thread of a multi-threaded process may take a mount namespace of its own
 * (the kernel gives it its own copy of the filesystem context); its children inherit it, and the
 * process's other threads keep the one they had.
 */
public final class Mounts {
    private static final Syscall UNSHARE = new Syscall("unshare");
    private static final Syscall MOUNT = new Syscall("mount");
    private static final Syscall UMOUNT2 = new Syscall("umount2");
    private static final Syscall CHROOT = new Syscall("chroot");
    private static final Syscall CHDIR = new Syscall("chdir");
    private static final int CLONE_NEWNS = 0x20000;
    private static final long MS_RDONLY = 1;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    private static final long MS_NOEXEC = 8;
    private static final long MS_REMOUNT = 32;
    private static final long MS_BIND = 4096;
    private static final long MS_REC = 0x4000;
    private static final long MS_PRIVATE = 1 << 18;
    private static final int MNT_DETACH = 2;

    private Mounts() {
    }

    /**
     * Gives the calling thread a mount namespace of its own, every mount in it private: nothing
     * mounted or unmounted in it reaches the namespace it came from, nor the other way.
     */
    public static void unshareNamespace() throws ErrnoException {
        UNSHARE.call("CLONE_NEWNS", CLONE_NEWNS);
        try (Arena arena = Arena.ofConfined()) {
            MOUNT.call("/ MS_REC|MS_PRIVATE", MemorySegment.NULL, arena.allocateFrom("/"), MemorySegment.NULL,
                    MS_REC | MS_PRIVATE, MemorySegment.NULL);
        }
    }

    /** Mounts a tracefs instance on {@code target} (read-only: only tracepoints' descriptions are read through it). */
    public static void mountTracefs(String target) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MOUNT.call("tracefs on " + target, arena.allocateFrom("tracefs"), arena.allocateFrom(target),
                    arena.allocateFrom("tracefs"), MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, MemorySegment.NULL);
        }
    }

    /**
     * Detaches whatever is mounted on {@code /proc} (and below it) and mounts a new proc instance
     * there with {@code options}: nothing of the old one is left beneath to be uncovered.
     */
    public static void replaceProc(String options) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment proc = arena.allocateFrom("/proc");
            UMOUNT2.call("/proc, MNT_DETACH", proc, MNT_DETACH);
            MOUNT.call("proc on /proc, " + options, arena.allocateFrom("proc"), proc, arena.allocateFrom("proc"),
                    MS_NOSUID | MS_NODEV | MS_NOEXEC, arena.allocateFrom(options));
        }
    }

    /** Makes the mount at {@code target} read-only in this namespace (its other mounts stay as they are). */
    public static void readOnly(String target) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MOUNT.call(target + " MS_REMOUNT|MS_BIND|MS_RDONLY", MemorySegment.NULL, arena.allocateFrom(target),
                    MemorySegment.NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, MemorySegment.NULL);
        }
    }

    /**
     * Binds {@code path} (a file or a directory) onto itself, read-only, in this namespace: through
     * that path it can be read and run but not written, truncated, renamed over or deleted, and
     * without {@code CAP_SYS_ADMIN} the bind cannot be undone.
     */
    public static void bindReadOnly(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MOUNT.call(path + " MS_BIND", p, p, MemorySegment.NULL, MS_BIND, MemorySegment.NULL);
        }
        readOnly(path);
    }

    /**
     * The mount points of this thread's namespace whose filesystem type is one of {@code types}, as
     * {@code /proc/thread-self/mountinfo} lists them (mount points with spaces or escapes are
     * listed as the kernel escapes them, which this reader undoes for {@code \040}).
     */
    public static List<String> mountPointsOfType(String... types) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 0 || dash + 1 >= f.length || f.length < 5) {
                continue;
            }
            for (String t : types) {
                if (f[dash + 1].equals(t)) {
                    out.add(f[4].replace("\\040", " "));
                }
            }
        }
        return out;
    }

    /**
     * Mounts the cgroup v2 hierarchy on {@code target} (an existing directory), {@code nosuid},
     * {@code nodev}, {@code noexec}. Which part of the hierarchy it shows depends on the calling
     * thread's cgroup namespace: its root, which is the machine's only in the initial namespace.
     */
    public static void mountCgroup2(String target) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MOUNT.call("cgroup2 on " + target, arena.allocateFrom("cgroup2"), arena.allocateFrom(target),
                    arena.allocateFrom("cgroup2"), MS_NOSUID | MS_NODEV | MS_NOEXEC, MemorySegment.NULL);
        }
    }

    /** Mounts an empty tmpfs on {@code target} (an existing directory): {@code nosuid}, {@code nodev}, {@code noexec}, mode 0700, 1 MiB. */
    public static void mountTmpfs(String target) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MOUNT.call("tmpfs on " + target, arena.allocateFrom("tmpfs"), arena.allocateFrom(target),
                    arena.allocateFrom("tmpfs"), MS_NOSUID | MS_NODEV | MS_NOEXEC, arena.allocateFrom("mode=0700,size=1m"));
        }
    }

    /**
     * Makes {@code dir} the calling thread's root directory and working directory ({@code chroot},
     * {@code chdir("/")}). The thread must have a filesystem context of its own ({@link
     * #unshareNamespace} gives it one), or every thread of the process moves with it.
     */
    public static void changeRoot(String dir) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            CHROOT.call("chroot " + dir, arena.allocateFrom(dir));
            CHDIR.call("chdir /", arena.allocateFrom("/"));
        }
    }

    /** {@code umount2(target, MNT_DETACH)}: detaches the mount now; the filesystem goes once no one uses it. */
    public static void detach(String target) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            UMOUNT2.call(target + ", MNT_DETACH", arena.allocateFrom(target), MNT_DETACH);
        }
    }
}
