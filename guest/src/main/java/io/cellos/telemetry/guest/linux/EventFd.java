package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A non-blocking {@code eventfd(2)}: another thread {@link #signal}s, the event loop waits for the
 * descriptor to be readable and {@link #drain}s it.
 *
 * <p>{@link #signal} may come from any thread, {@link #fd} and {@link #drain} from the owner's;
 * a signal after {@link #close} does nothing (it never writes to a descriptor number that may
 * have been reused). Owns its fd and native memory.
 */
public final class EventFd implements AutoCloseable {
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final Syscall EVENTFD2 = new Syscall("eventfd2");

    private final Arena arena = Arena.ofAuto(); // freed with this object: signal() may race close()
    private final MemorySegment one = arena.allocate(JAVA_LONG);
    private final MemorySegment count = arena.allocate(JAVA_LONG);
    private final Fd fd;
    private boolean closed;

    /**
     * @param what what it signals, for messages ({@code "exec hash completions"})
     * @throws ErrnoException naming {@code eventfd2} and the errno
     */
    public EventFd(String what) throws ErrnoException {
        one.set(JAVA_LONG, 0, 1);
        fd = new Fd((int) EVENTFD2.call(what, 0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd (" + what + ")");
    }

    /** The descriptor to wait on: readable after a {@link #signal}, until {@link #drain}. */
    public int fd() {
        return fd.get();
    }

    /** Makes the descriptor readable; from any thread. */
    public synchronized void signal() {
        if (!closed) {
            // cannot fail short of 2^64 - 2 signals that nobody drains
            Libc.WRITE.invoke(fd.get(), Native.address(one), 8, 0, 0, 0);
        }
    }

    /** Resets the descriptor: the number of signals since the last drain, 0 if none. */
    public long drain() {
        long n = Libc.read(fd.get(), count, 8);
        return n == 8 ? count.get(JAVA_LONG, 0) : 0;
    }

    @Override
    public synchronized void close() {
        closed = true;
        fd.close();
    }
}
