package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;

/** Named pipes: {@code mkfifo(3)}, which the JDK has no call for. */
public final class Fifo {
    private static final int AT_FDCWD = -100;
    private static final int S_IFIFO = 0010000;
    /** {@code mkfifo(path, mode)} is {@code mknodat(AT_FDCWD, path, S_IFIFO | mode, 0)}. */
    private static final Syscall MKNODAT = new Syscall("mknodat", 259);

    private Fifo() {
    }

    /** Creates a FIFO at {@code path}, readable and writable by its owner alone. */
    public static void create(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MKNODAT.call(path, AT_FDCWD, arena.allocateFrom(path), S_IFIFO | 0600, 0);
        }
    }
}
