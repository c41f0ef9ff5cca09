package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Signals taken synchronously: a signal mask of the calling thread and a {@code signalfd} that
 * reads the blocked signals as data. A process whose every thread blocks a signal receives it
 * only through such a descriptor; threads inherit their creator's mask, and {@code execve} keeps it.
 */
public final class Signals {
    public static final int SIGCHLD = 17;
    private static final int SIG_BLOCK = 0;
    private static final int SFD_CLOEXEC = 0x80000;
    private static final long SIGSET_BYTES = 128;
    /** {@code sizeof(struct signalfd_siginfo)}. */
    private static final long SIGINFO_BYTES = 128;

    private static final MethodHandle SIGEMPTYSET = Native.plain("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET = Native.plain("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGADDSET = Native.plain("sigaddset", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SIGISMEMBER = Native.plain("sigismember", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PTHREAD_SIGMASK = Native.plain("pthread_sigmask",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final Syscall SIGNALFD = Native.syscall("signalfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    private Signals() {
    }

    /** Adds {@code signals} to the calling thread's mask. */
    public static void blockInThisThread(int... signals) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) PTHREAD_SIGMASK.invokeExact(SIG_BLOCK, set(arena, signals), MemorySegment.NULL);
            if (rc != 0) {
                throw new ErrnoException("pthread_sigmask(SIG_BLOCK)", rc);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Whether the calling thread blocks {@code signal}. */
    public static boolean blockedInThisThread(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(SIGSET_BYTES, 8);
            int rc = (int) PTHREAD_SIGMASK.invokeExact(SIG_BLOCK, MemorySegment.NULL, current);
            if (rc != 0) {
                throw new IllegalStateException("pthread_sigmask: " + Errno.describe(rc));
            }
            return (int) SIGISMEMBER.invokeExact(current, signal) == 1;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A blocking {@code signalfd} for {@code signals}, which the caller owns. */
    public static Fd signalFd(int... signals) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return new Fd((int) SIGNALFD.call(null, -1, set(arena, signals), SFD_CLOEXEC), "signalfd");
        }
    }

    /**
     * Reads the next signal from a {@link #signalFd}, waiting for one.
     *
     * @return the signal number
     */
    public static int take(Fd signalFd, MemorySegment buffer) throws ErrnoException {
        while (true) {
            long n = Libc.read(signalFd.get(), buffer, SIGINFO_BYTES);
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n != SIGINFO_BYTES) {
                throw new ErrnoException("read(signalfd)", n < 0 ? (int) -n : Errno.EINVAL);
            }
            return buffer.get(JAVA_INT, 0);
        }
    }

    /** A buffer for {@link #take}. */
    public static MemorySegment buffer(Arena arena) {
        return arena.allocate(SIGINFO_BYTES, 8);
    }

    /** A {@code sigset_t} holding every signal, in {@code arena}. */
    static MemorySegment fullSet(Arena arena) {
        MemorySegment set = arena.allocate(SIGSET_BYTES, 8);
        try {
            if ((int) SIGFILLSET.invokeExact(set) != 0) {
                throw new IllegalStateException("sigfillset failed");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return set;
    }

    /** A {@code sigset_t} holding {@code signals} (none: the empty set), in {@code arena}. */
    static MemorySegment set(Arena arena, int... signals) {
        MemorySegment set = arena.allocate(SIGSET_BYTES, 8);
        int rc;
        try {
            rc = (int) SIGEMPTYSET.invokeExact(set);
            for (int s : signals) {
                rc |= (int) SIGADDSET.invokeExact(set, s);
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) {
            throw new IllegalArgumentException("not signals: " + java.util.Arrays.toString(signals));
        }
        return set;
    }
}
