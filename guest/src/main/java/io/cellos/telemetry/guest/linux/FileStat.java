package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code fstat(2)}, or {@code newfstatat(2)} of a path, into one reused {@code struct stat} (x86-64
 * layout), read field by field:
 * <pre>
 *   0 u64 st_dev   8 u64 st_ino   16 u64 st_nlink   24 u32 st_mode   48 s64 st_size
 *   104 s64 st_ctime   112 s64 st_ctime_nsec        (144 bytes in all)
 * </pre>
 *
 * <p>The accessors describe the last successful {@link #of} or {@link #at}. Confined to one thread; owns its
 * native memory, not the descriptors it is asked about.
 */
public final class FileStat implements AutoCloseable {
    private static final int STAT_BYTES = 144;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final Syscall FSTAT = new Syscall("fstat");
    private static final Syscall NEWFSTATAT = new Syscall("newfstatat");

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment stat = arena.allocate(STAT_BYTES, 8);

    /**
     * Reads the status of {@code fd}.
     *
     * @return 0, or {@code -errno}; allocates nothing
     */
    public int of(int fd) {
        return (int) FSTAT.invoke(fd, Native.address(stat), 0, 0, 0, 0);
    }

    /**
     * Reads the status of the file {@code path} (a NUL-terminated string) names, following
     * symbolic links: for {@code /proc/PID/exe}, the file the process executed.
     *
     * @return 0, or {@code -errno}; allocates nothing
     */
    public int at(MemorySegment path) {
        return (int) NEWFSTATAT.invoke(Libc.AT_FDCWD, Native.address(path), Native.address(stat), 0, 0, 0);
    }

    /** The device that holds the file. */
    public long device() {
        return stat.get(JAVA_LONG, 0);
    }

    public long inode() {
        return stat.get(JAVA_LONG, 8);
    }

    /** How many names the file has: 0 once it is deleted, and for a memfd. */
    public long links() {
        return stat.get(JAVA_LONG, 16);
    }

    public boolean isRegularFile() {
        return (stat.get(JAVA_INT, 24) & S_IFMT) == S_IFREG;
    }

    /** The size in bytes. */
    public long size() {
        return stat.get(JAVA_LONG, 48);
    }

    /** When the file's content or attributes last changed: seconds since the epoch. */
    public long changeSeconds() {
        return stat.get(JAVA_LONG, 104);
    }

    /** The nanoseconds of {@link #changeSeconds}. */
    public long changeNanos() {
        return stat.get(JAVA_LONG, 112);
    }

    @Override
    public void close() {
        arena.close();
    }
}
