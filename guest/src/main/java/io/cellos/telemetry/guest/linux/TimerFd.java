package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A {@code CLOCK_MONOTONIC} timerfd: a timer the event loop waits on like any other fd.
 *
 * <p>Confined to one thread; owns its fd and native memory.
 */
public final class TimerFd implements AutoCloseable {
    private static final int CLOCK_MONOTONIC = 1;
    private static final int TFD_NONBLOCK = 0x800;
    private static final int TFD_CLOEXEC = 0x80000;

    private final Arena arena = Arena.ofConfined();
    private final Fd fd;
    private final MemorySegment spec = arena.allocate(JAVA_LONG, 4);
    private final MemorySegment count = arena.allocate(JAVA_LONG);

    public TimerFd() throws ErrnoException {
        fd = new Fd((int) Libc.TIMERFD_CREATE.call(null, CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), "timerfd");
    }

    public int fd() {
        return fd.get();
    }

    /**
     * Arms the timer to fire once after {@code delayNanos} (0 disarms it), then every
     * {@code intervalNanos} (0: once).
     */
    public void arm(long delayNanos, long intervalNanos) throws ErrnoException {
        spec.setAtIndex(JAVA_LONG, 0, intervalNanos / 1_000_000_000L);
        spec.setAtIndex(JAVA_LONG, 1, intervalNanos % 1_000_000_000L);
        spec.setAtIndex(JAVA_LONG, 2, delayNanos / 1_000_000_000L);
        spec.setAtIndex(JAVA_LONG, 3, delayNanos % 1_000_000_000L);
        Libc.TIMERFD_SETTIME.call(null, fd.get(), 0, spec, MemorySegment.NULL);
    }

    /** Consumes the expirations since the last call; 0 if none. */
    public long drain() {
        long n = Libc.read(fd.get(), count, 8);
        return n == 8 ? count.get(JAVA_LONG, 0) : 0;
    }

    @Override
    public void close() {
        fd.close();
        arena.close();
    }
}
