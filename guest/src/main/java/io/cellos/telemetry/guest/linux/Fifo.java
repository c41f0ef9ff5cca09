package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Named pipes: {@code mkfifo(3)}, which the JDK has no call for. */
public final class Fifo {
    private static final Syscall MKFIFO = Native.syscall("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private Fifo() {
    }

    /** Creates a FIFO at {@code path}, readable and writable by its owner alone. */
    public static void create(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MKFIFO.call(path, arena.allocateFrom(path), 0600);
        }
    }
}
