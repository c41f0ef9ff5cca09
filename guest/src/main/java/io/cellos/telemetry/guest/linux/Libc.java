package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc functions the guest uses, bound through the FFM API (x86-64 LP64 signatures).
 *
 * <p>Set-up calls are {@link Syscall}s ({@code Libc.SOCKET.call("AF_UNIX", ...)}); the calls on
 * the event loop's hot path have exact, allocation-free wrappers that return {@code -errno}
 * instead of throwing.
 */
public final class Libc {
    public static final Syscall SOCKET = Native.syscall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    public static final Syscall BIND = Native.syscall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    public static final Syscall CONNECT = Native.syscall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    public static final Syscall LISTEN = Native.syscall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    public static final Syscall ACCEPT4 = Native.syscall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    public static final Syscall CLOSE = Native.syscall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    public static final Syscall GETSOCKOPT = Native.syscall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    public static final Syscall SETSOCKOPT = Native.syscall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    public static final Syscall EPOLL_CREATE1 = Native.syscall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    public static final Syscall EPOLL_CTL = Native.syscall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    public static final Syscall TIMERFD_CREATE = Native.syscall("timerfd_create",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    public static final Syscall TIMERFD_SETTIME = Native.syscall("timerfd_settime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    public static final Syscall INOTIFY_INIT1 = Native.syscall("inotify_init1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    public static final Syscall INOTIFY_ADD_WATCH = Native.syscall("inotify_add_watch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    public static final Syscall FANOTIFY_INIT = Native.syscall("fanotify_init",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    public static final Syscall FANOTIFY_MARK = Native.syscall("fanotify_mark",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS));
    /** {@code prctl(option, arg2, arg3, arg4, arg5)}: variadic in C after the option. */
    public static final Syscall PRCTL = Native.syscall("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    public static final Syscall SETSID = Native.syscall("setsid", FunctionDescriptor.of(JAVA_INT));
    /** {@code pipe2(int fds[2], flags)}. */
    public static final Syscall PIPE2 = Native.syscall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code write(2)} for set-up and tests; the loop's socket writes use {@link #sendNonBlocking}. */
    public static final Syscall WRITE = Native.syscall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    private static final MethodHandle READ = Native.withErrno("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SEND = Native.withErrno("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EPOLL_WAIT = Native.withErrno("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPID = Native.plain("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGNAL = Native.plain("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle STRERROR = Native.plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** {@code MSG_NOSIGNAL}: a write to a broken socket returns EPIPE instead of raising SIGPIPE. */
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_DONTWAIT = 0x40;

    private Libc() {
    }

    /** {@code read(2)}: bytes read, 0 at end of file, or {@code -errno}. */
    public static long read(int fd, MemorySegment buf, long len) {
        MemorySegment st = Native.callState();
        long rc;
        try {
            rc = (long) READ.invokeExact(st, fd, buf, len);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return rc == -1 ? -Native.errno(st) : rc;
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
        MemorySegment st = Native.callState();
        long rc;
        try {
            rc = (long) SEND.invokeExact(st, fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return rc == -1 ? -Native.errno(st) : rc;
    }

    /** {@code epoll_wait(2)}: the number of ready events, or {@code -errno}. */
    public static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
        MemorySegment st = Native.callState();
        int rc;
        try {
            rc = (int) EPOLL_WAIT.invokeExact(st, epfd, events, max, timeoutMillis);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return rc == -1 ? -Native.errno(st) : rc;
    }

    /** {@code getpid(2)}: the pid as the caller's PID namespace sees it. */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Sets signal {@code signo} to be ignored ({@code SIG_IGN}). */
    public static void ignoreSignal(int signo) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(signo, MemorySegment.ofAddress(1L));
            if (previous.address() == -1L) {
                throw new IllegalArgumentException("signal(" + signo + ", SIG_IGN) failed");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The C library's text for an errno. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A NUL-terminated copy of {@code s} in {@code arena}. */
    public static MemorySegment cString(Arena arena, String s) {
        return arena.allocateFrom(s);
    }
}
