package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * An epoll instance and the buffer its ready events land in. Each registered fd carries a
 * {@code long} token that comes back with its events.
 *
 * <p>Confined to one thread; owns its epoll fd and its native memory.
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;

    /** {@code struct epoll_event}: packed on x86-64, 12 bytes. */
    static final StructLayout EPOLL_EVENT = MemoryLayout.structLayout(
            JAVA_INT.withName("events"), JAVA_LONG_UNALIGNED.withName("data"));

    private final Arena arena = Arena.ofConfined();
    private final Fd fd;
    private final MemorySegment ready;
    private final MemorySegment one;
    private final int capacity;

    /** @param capacity the most events one {@link #await} returns */
    public Epoll(int capacity) throws ErrnoException {
        this.fd = new Fd((int) Libc.EPOLL_CREATE1.call(null, EPOLL_CLOEXEC), "epoll");
        this.capacity = capacity;
        this.ready = arena.allocate(EPOLL_EVENT, capacity);
        this.one = arena.allocate(EPOLL_EVENT);
    }

    public void add(int target, int events, long token) throws ErrnoException {
        ctl(EPOLL_CTL_ADD, target, events, token);
    }

    public void modify(int target, int events, long token) throws ErrnoException {
        ctl(EPOLL_CTL_MOD, target, events, token);
    }

    public void remove(int target) throws ErrnoException {
        ctl(EPOLL_CTL_DEL, target, 0, 0);
    }

    private void ctl(int op, int target, int events, long token) throws ErrnoException {
        one.set(JAVA_INT, 0, events);
        one.set(JAVA_LONG_UNALIGNED, 4, token);
        Libc.EPOLL_CTL.call("fd " + target, fd.get(), op, target, one);
    }

    /**
     * Waits for events.
     *
     * @param timeoutMillis -1 to wait for ever
     * @return how many events are ready (0 on time-out or on a signal)
     */
    public int await(int timeoutMillis) throws ErrnoException {
        int n = Libc.epollWait(fd.get(), ready, capacity, timeoutMillis);
        if (n == -Errno.EINTR) {
            return 0;
        }
        if (n < 0) {
            throw new ErrnoException("epoll_wait", -n);
        }
        return n;
    }

    /** The event mask of ready event {@code i}. */
    public int events(int i) {
        return ready.get(JAVA_INT, i * EPOLL_EVENT.byteSize());
    }

    /** The token of ready event {@code i}. */
    public long token(int i) {
        return ready.get(JAVA_LONG_UNALIGNED, i * EPOLL_EVENT.byteSize() + 4);
    }

    @Override
    public void close() {
        fd.close();
        arena.close();
    }
}
