package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One descriptor that polls readable while any of its members is readable: an epoll instance that
 * a probe with several fds (a socket and a timer) hands to the agent's loop as its one
 * {@code fd()}. Nothing waits on it directly; the loop's own {@link Epoll} does, and the probe then
 * reads each member without blocking.
 *
 * <p>Members are level-triggered, so the group stays readable until every member has been drained.
 * Confined to one thread; owns its epoll fd (not the members) and its native memory.
 */
public final class ReadyGroup implements AutoCloseable {
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment event = arena.allocate(Epoll.EPOLL_EVENT);
    private final Fd fd;

    /** @param what what it groups, for messages ({@code "audit socket and timer"}) */
    public ReadyGroup(String what) throws ErrnoException {
        try {
            this.fd = new Fd((int) Libc.EPOLL_CREATE1.call(what, EPOLL_CLOEXEC), what);
        } catch (ErrnoException e) {
            arena.close();
            throw e;
        }
    }

    /** Adds {@code member}, which the caller keeps owning and removes from the group by closing it. */
    public void add(int member) throws ErrnoException {
        event.set(JAVA_INT, 0, Epoll.EPOLLIN);
        event.set(JAVA_LONG_UNALIGNED, 4, member);
        Libc.EPOLL_CTL.call(fd.what() + ": fd " + member, fd.get(), EPOLL_CTL_ADD, member, event);
    }

    /** The group's descriptor, for the agent's loop. */
    public int fd() {
        return fd.get();
    }

    @Override
    public void close() {
        fd.close();
        arena.close();
    }
}
