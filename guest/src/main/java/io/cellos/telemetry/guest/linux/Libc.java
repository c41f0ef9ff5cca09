package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The system calls the agent uses, and {@code strerror}.
 *
 * <p>Set-up calls are {@link Syscall}s ({@code Libc.SOCKET.call("AF_UNIX", ...)}); the calls on
 * the event loop's hot path have allocation-free wrappers that return {@code -errno} instead of
 * throwing.
 */
public final class Libc {
    public static final Syscall SOCKET = new Syscall("socket");
    public static final Syscall BIND = new Syscall("bind");
    public static final Syscall CONNECT = new Syscall("connect");
    public static final Syscall LISTEN = new Syscall("listen");
    public static final Syscall ACCEPT4 = new Syscall("accept4");
    public static final Syscall CLOSE = new Syscall("close");
    public static final Syscall GETSOCKOPT = new Syscall("getsockopt");
    public static final Syscall SETSOCKOPT = new Syscall("setsockopt");
    public static final Syscall EPOLL_CREATE1 = new Syscall("epoll_create1");
    public static final Syscall EPOLL_CTL = new Syscall("epoll_ctl");
    public static final Syscall TIMERFD_CREATE = new Syscall("timerfd_create");
    public static final Syscall TIMERFD_SETTIME = new Syscall("timerfd_settime");
    public static final Syscall INOTIFY_INIT1 = new Syscall("inotify_init1");
    public static final Syscall INOTIFY_ADD_WATCH = new Syscall("inotify_add_watch");
    public static final Syscall FANOTIFY_INIT = new Syscall("fanotify_init");
    /** {@code fanotify_mark(fd, flags, u64 mask, dirfd, path)}. */
    public static final Syscall FANOTIFY_MARK = new Syscall("fanotify_mark");
    /** {@code prctl(option, arg2, arg3, arg4, arg5)}. */
    public static final Syscall PRCTL = new Syscall("prctl");
    public static final Syscall SETSID = new Syscall("setsid");
    /** {@code pipe2(int fds[2], flags)}. */
    public static final Syscall PIPE2 = new Syscall("pipe2");
    /** {@code write(2)} for set-up and tests; the loop's socket writes use {@link #sendNonBlocking}. */
    public static final Syscall WRITE = new Syscall("write");
    /** {@code open(path, flags, mode)}. */
    public static final Syscall OPEN = new Syscall("open");
    /** {@code readlink(path, buf, size)}: the target's length; the target is not terminated. */
    public static final Syscall READLINK = new Syscall("readlink");
    public static final Syscall GETDENTS64 = new Syscall("getdents64");
    /** {@code pidfd_open(pid, flags)}: a descriptor that polls readable once the process has ended. */
    public static final Syscall PIDFD_OPEN = new Syscall("pidfd_open");
    /** {@code getrandom(buf, buflen, flags)}. */
    public static final Syscall GETRANDOM = new Syscall("getrandom");
    /** {@code flock(fd, operation)}. */
    public static final Syscall FLOCK = new Syscall("flock");
    /** {@code openat(dirfd, path, flags, mode)}. */
    public static final Syscall OPENAT = new Syscall("openat");
    /** {@code openat}'s {@code dirfd} for a path relative to the working directory, or absolute. */
    public static final int AT_FDCWD = -100;

    private static final Syscall MMAP = new Syscall("mmap");
    /** {@code mmap}'s protections and flags used here. */
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    private static final Syscall MUNMAP = new Syscall("munmap");
    private static final Syscall READ = new Syscall("read");
    /** {@code sendto(fd, buf, len, flags, NULL, 0)} is {@code send(2)}. */
    private static final Syscall SENDTO = new Syscall("sendto");
    private static final Syscall EPOLL_WAIT = new Syscall("epoll_wait");
    private static final Syscall GETPID = new Syscall("getpid");

    /** {@code MSG_NOSIGNAL}: a write to a broken socket returns EPIPE instead of raising SIGPIPE. */
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_DONTWAIT = 0x40;

    private Libc() {
    }

    /** {@code read(2)}: bytes read, 0 at end of file, or {@code -errno}. */
    public static long read(int fd, MemorySegment buf, long len) {
        return READ.invoke(fd, Native.address(buf), len, 0, 0, 0);
    }

    /**
     * Reads what a non-blocking fd has: the bytes read, or 0 when it has nothing (or is at its
     * end); retries a read interrupted by a signal.
     *
     * @param what names the fd in errors
     * @throws ErrnoException on any other failure
     */
    public static long readAvailable(int fd, MemorySegment buf, long len, String what) throws ErrnoException {
        while (true) {
            long n = read(fd, buf, len);
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n == -Errno.EAGAIN || n == 0) {
                return 0;
            }
            if (n < 0) {
                throw new ErrnoException("read(" + what + ")", (int) -n);
            }
            return n;
        }
    }

    /** {@code send(2)} with {@code MSG_NOSIGNAL | MSG_DONTWAIT}: bytes sent, or {@code -errno}. */
    public static long sendNonBlocking(int fd, MemorySegment buf, long len) {
        return SENDTO.invoke(fd, Native.address(buf), len, MSG_NOSIGNAL | MSG_DONTWAIT, 0, 0);
    }

    /** {@code epoll_wait(2)}: the number of ready events, or {@code -errno}. */
    public static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
        return (int) EPOLL_WAIT.invoke(epfd, Native.address(events), max, timeoutMillis, 0, 0);
    }

    /** {@code getpid(2)}: the pid as the caller's PID namespace sees it. */
    public static int getpid() {
        return (int) GETPID.invoke(0, 0, 0, 0, 0, 0);
    }

    /**
     * {@code mmap(NULL, length, prot, flags, fd, offset)}: the mapping, which the caller unmaps with
     * {@link #munmap}.
     *
     * @param what names the mapping in errors
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, String what)
            throws ErrnoException {
        long address = MMAP.call(what, 0L, length, prot, flags, fd, offset);
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /** {@code munmap(2)} of a mapping {@link #mmap} made; harmless on one already gone. */
    public static void munmap(MemorySegment mapping) {
        MUNMAP.callOrErrno(mapping, mapping.byteSize());
    }

    /** The C library's text for an errno. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Strerror.HANDLE.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Bound on first use: only error messages need it. */
    private static final class Strerror {
        static final MethodHandle HANDLE = Native.plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /** A NUL-terminated copy of {@code s} in {@code arena}. */
    public static MemorySegment cString(Arena arena, String s) {
        return arena.allocateFrom(s);
    }
}
