package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** Named pipes: {@code mkfifo(3)}, which the JDK has no call for, and their reading end. */
public final class Fifo {
    private static final int S_IFIFO = 0010000;
    /** {@code mkfifo(path, mode)} is {@code mknodat(AT_FDCWD, path, S_IFIFO | mode, 0)}. */
    private static final Syscall MKNODAT = new Syscall("mknodat");

    private Fifo() {
    }

    /** Creates a FIFO at {@code path}, readable and writable by its owner alone. */
    public static void create(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MKNODAT.call(path, Libc.AT_FDCWD, arena.allocateFrom(path), S_IFIFO | 0600, 0);
        }
    }

    /**
     * Opens {@code path} for reading, close-on-exec (so that no child inherits it), waiting until
     * a writer has it open.
     */
    public static Fd openForReading(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return new Fd((int) Libc.OPEN.call(path, arena.allocateFrom(path), OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC, 0),
                    "FIFO " + path);
        }
    }

    /**
     * Reads one byte, waiting for it.
     *
     * @return the byte (0 to 255), or -1 at the end: no writer has the FIFO open any more
     */
    public static int readByte(Fd fifo) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(1);
            while (true) {
                long n = Libc.read(fifo.get(), b, 1);
                if (n == 1) {
                    return b.get(JAVA_BYTE, 0) & 0xff;
                }
                if (n == 0) {
                    return -1;
                }
                if (n != -Errno.EINTR) {
                    throw new ErrnoException("read(" + fifo.what() + ")", (int) -n);
                }
            }
        }
    }
}
