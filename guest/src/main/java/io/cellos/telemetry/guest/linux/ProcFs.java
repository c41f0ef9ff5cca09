package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The process table as {@code /proc} shows it: the pids it lists, and a process's {@code comm},
 * {@code exe} link and {@code stat} line.
 *
 * <p>Made for the event loop: paths are written into a native buffer and files read into another,
 * both reused, so a read allocates nothing but the {@code String} it returns. A process that is
 * gone (or whose file cannot be read) is an answer, not an error: the readers return {@code null}
 * or {@code false}, because the process probes race with exits by nature.
 *
 * <p>Confined to one thread; owns its native memory.
 */
public final class ProcFs implements AutoCloseable {
    /** {@code TASK_COMM_LEN} is 16, but a kernel worker's comm file carries its workqueue too. */
    private static final int COMM_FILE_BYTES = 64;
    /** {@code PATH_MAX}. */
    private static final int PATH_MAX = 4096;
    private static final int DIRENTS_BYTES = 32 * 1024;
    /** {@code struct linux_dirent64}: d_ino u64, d_off s64, d_reclen u16 at 16, d_type u8, d_name at 19. */
    private static final int DIRENT_RECLEN = 16;
    private static final int DIRENT_NAME = 19;

    private static final byte[] PROC = ascii("/proc/");
    private static final byte[] COMM = ascii("/comm");
    private static final byte[] TASK = ascii("/task/");
    private static final byte[] EXE = ascii("/exe");
    private static final byte[] STAT = ascii("/stat");

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment path = arena.allocate(64);
    private final MemorySegment data = arena.allocate(PATH_MAX);
    private final MemorySegment dirents = arena.allocate(DIRENTS_BYTES, 8);
    private final MemorySegment procDir = arena.allocateFrom("/proc");
    private final byte[] text = new byte[PATH_MAX];
    private int pathLength;
    private int[] pids = new int[1024];
    private int pidCount;
    private int statParent;
    private long statStartTime;
    private String statComm;

    /**
     * Lists the processes (thread-group leaders) in {@code /proc}, in the order it gives them
     * (ascending pid); read them with {@link #pid}.
     *
     * @return how many there are
     * @throws ErrnoException naming {@code open(/proc)} or {@code getdents64(/proc)} and the errno
     */
    public int listProcesses() throws ErrnoException {
        int fd = open(procDir, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
        if (fd < 0) {
            throw new ErrnoException("open(/proc)", -fd);
        }
        pidCount = 0;
        try {
            while (true) {
                long n = getdents64(fd);
                if (n == 0) {
                    return pidCount;
                }
                if (n < 0) {
                    throw new ErrnoException("getdents64(/proc)", (int) -n);
                }
                for (long off = 0; off < n; off += dirents.get(JAVA_SHORT_UNALIGNED, off + DIRENT_RECLEN) & 0xffff) {
                    int pid = parsePid(off + DIRENT_NAME);
                    if (pid > 0) {
                        addPid(pid);
                    }
                }
            }
        } finally {
            close(fd);
        }
    }

    /** The {@code i}th pid of the last {@link #listProcesses}. */
    public int pid(int i) {
        return pids[i];
    }

    /** {@code /proc/PID/comm} without its newline, or {@code null} if the process is gone. */
    public String comm(int pid) {
        startPath(pid);
        appendPath(COMM);
        return readComm();
    }

    /**
     * {@code /proc/TGID/task/TID/comm}: the name of one thread of a process, which a child forked by
     * that thread inherits; {@code null} if the thread is gone.
     */
    public String threadComm(int tgid, int tid) {
        startPath(tgid);
        appendPath(TASK);
        appendNumber(tid);
        appendPath(COMM);
        return readComm();
    }

    /**
     * The target of {@code /proc/PID/exe}: the executable's path, or {@code null} if it cannot be
     * read (the process is gone or a zombie, or it is a kernel thread).
     */
    public String exe(int pid) {
        startPath(pid);
        appendPath(EXE);
        long n = readlink(data.byteSize());
        return n <= 0 ? null : string(0, (int) n);
    }

    /**
     * Reads {@code /proc/PID/stat}; on success its parent pid, start time and comm are
     * {@link #statParent}, {@link #statStartTime} and {@link #statComm}.
     *
     * @return false if the process is gone
     */
    public boolean stat(int pid) {
        startPath(pid);
        appendPath(STAT);
        int n = readFile();
        if (n <= 0) {
            return false;
        }
        // "pid (comm) state ppid ...": the comm may hold spaces and parentheses, so the fields
        // after it are found from the last ')'
        int open = indexOf('(', 0, n);
        int close = lastIndexOf(')', n);
        if (open < 0 || close < open) {
            return false;
        }
        int field = 3;
        int at = close + 2;
        while (at < n && field < 22) {
            if (field == 4) {
                statParent = (int) number(at, n);
            }
            at = indexOf(' ', at, n) + 1;
            if (at == 0) {
                return false;
            }
            field++;
        }
        statStartTime = number(at, n);
        statComm = string(open + 1, close - open - 1);
        return true;
    }

    /** The parent pid read by the last successful {@link #stat}. */
    public int statParent() {
        return statParent;
    }

    /** The start time, in clock ticks after boot, read by the last successful {@link #stat}. */
    public long statStartTime() {
        return statStartTime;
    }

    /** The comm read by the last successful {@link #stat}. */
    public String statComm() {
        return statComm;
    }

    @Override
    public void close() {
        arena.close();
    }

    private String readComm() {
        int n = readFile();
        if (n <= 0) {
            return null;
        }
        return string(0, data.get(JAVA_BYTE, n - 1) == '\n' ? n - 1 : n);
    }

    /** Reads the file at {@link #path} into {@link #data}: its length, or -1 if it cannot be read. */
    private int readFile() {
        int fd = open(path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        if (fd < 0) {
            return -1;
        }
        try {
            long n = Libc.read(fd, data, data.byteSize());
            return n < 0 ? -1 : (int) n;
        } finally {
            close(fd);
        }
    }

    private void startPath(int pid) {
        pathLength = 0;
        appendPath(PROC);
        appendNumber(pid);
    }

    private void appendPath(byte[] part) {
        MemorySegment.copy(part, 0, path, JAVA_BYTE, pathLength, part.length);
        pathLength += part.length;
        path.set(JAVA_BYTE, pathLength, (byte) 0);
    }

    private void appendNumber(int value) {
        int digits = 1;
        for (int v = value; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = digits - 1, v = value; i >= 0; i--, v /= 10) {
            path.set(JAVA_BYTE, pathLength + i, (byte) ('0' + v % 10));
        }
        pathLength += digits;
        path.set(JAVA_BYTE, pathLength, (byte) 0);
    }

    /** The pid a {@code /proc} entry's name spells, or -1 if it is not all digits. */
    private int parsePid(long name) {
        int pid = 0;
        int i = 0;
        for (byte b; (b = dirents.get(JAVA_BYTE, name + i)) != 0; i++) {
            if (b < '0' || b > '9' || pid > (Integer.MAX_VALUE - 9) / 10) {
                return -1;
            }
            pid = pid * 10 + (b - '0');
        }
        return i == 0 ? -1 : pid;
    }

    private void addPid(int pid) {
        if (pidCount == pids.length) {
            pids = Arrays.copyOf(pids, pids.length * 2);
        }
        pids[pidCount++] = pid;
    }

    private long number(int at, int end) {
        long v = 0;
        for (int i = at; i < end; i++) {
            byte b = data.get(JAVA_BYTE, i);
            if (b < '0' || b > '9') {
                break;
            }
            v = v * 10 + (b - '0');
        }
        return v;
    }

    private int indexOf(char c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (data.get(JAVA_BYTE, i) == c) {
                return i;
            }
        }
        return -1;
    }

    private int lastIndexOf(char c, int end) {
        for (int i = end - 1; i >= 0; i--) {
            if (data.get(JAVA_BYTE, i) == c) {
                return i;
            }
        }
        return -1;
    }

    private String string(int off, int len) {
        MemorySegment.copy(data, JAVA_BYTE, off, text, 0, len);
        return new String(text, 0, len, StandardCharsets.UTF_8);
    }

    private int open(MemorySegment file, int flags) {
        return (int) Libc.OPEN.invoke(Native.address(file), flags, 0, 0, 0, 0);
    }

    private void close(int fd) {
        // close(2) releases the descriptor even when it reports an error; a read-only file has
        // nothing left to flush, so there is nothing to act on
        Libc.CLOSE.invoke(fd, 0, 0, 0, 0, 0);
    }

    private long readlink(long size) {
        return Libc.READLINK.invoke(Native.address(path), Native.address(data), size, 0, 0, 0);
    }

    private long getdents64(int fd) {
        return Libc.GETDENTS64.invoke(fd, Native.address(dirents), dirents.byteSize(), 0, 0, 0);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
