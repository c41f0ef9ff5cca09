package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Signals taken synchronously: a signal mask of the calling thread and a {@code signalfd} that
 * reads the blocked signals as data. A process whose every thread blocks a signal receives it
 * only through such a descriptor; threads inherit their creator's mask, and {@code execve} keeps it.
 */
public final class Signals {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGPIPE = 13;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGTSTP = 20;
    public static final int SIGTTIN = 21;
    public static final int SIGTTOU = 22;
    private static final int SIG_BLOCK = 0;
    private static final int SFD_CLOEXEC = 0x80000;
    /** {@code SIG_IGN}. */
    private static final long IGNORE = 1;
    /** The kernel's signal set: 64 bits, one per signal ({@code sizeof(kernel_sigset_t)}). */
    private static final long KERNEL_SIGSET_BYTES = 8;
    /** glibc's {@code sigset_t}, which begins with the kernel's set; the rest stays zero. */
    private static final long SIGSET_BYTES = 128;
    /** {@code struct kernel_sigaction} on x86-64: handler, flags, restorer, mask. */
    private static final long SIGACTION_BYTES = 32;
    /** {@code sizeof(struct signalfd_siginfo)}. */
    private static final long SIGINFO_BYTES = 128;
    /** glibc's own signals, SIGCANCEL (32) and SIGSETXID (33), which its {@code sigfillset} leaves out. */
    private static final long LIBC_INTERNAL = (1L << 31) | (1L << 32);

    private static final Syscall RT_SIGACTION = new Syscall("rt_sigaction");
    private static final Syscall RT_SIGPROCMASK = new Syscall("rt_sigprocmask");
    private static final Syscall SIGNALFD4 = new Syscall("signalfd4");

    private Signals() {
    }

    /** Sets {@code signal} to be ignored ({@code SIG_IGN}) by the whole process. */
    public static void ignore(int signal) throws ErrnoException {
        bit(signal);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(SIGACTION_BYTES, 8);
            action.set(JAVA_LONG, 0, IGNORE);
            RT_SIGACTION.call("signal " + signal + ", SIG_IGN", signal, action, MemorySegment.NULL, KERNEL_SIGSET_BYTES);
        }
    }

    /** Adds {@code signals} to the calling thread's mask. */
    public static void blockInThisThread(int... signals) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            RT_SIGPROCMASK.call("SIG_BLOCK", SIG_BLOCK, set(arena, signals), MemorySegment.NULL, KERNEL_SIGSET_BYTES);
        }
    }

    /** A blocking {@code signalfd} for {@code signals}, which the caller owns. */
    public static Fd signalFd(int... signals) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return new Fd((int) SIGNALFD4.call(null, -1, set(arena, signals), KERNEL_SIGSET_BYTES, SFD_CLOEXEC), "signalfd");
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

    /** A {@code sigset_t} holding every signal (but glibc's own two, as {@code sigfillset} does), in {@code arena}. */
    static MemorySegment fullSet(Arena arena) {
        MemorySegment set = arena.allocate(SIGSET_BYTES, 8);
        set.set(JAVA_LONG, 0, ~LIBC_INTERNAL);
        return set;
    }

    /** A {@code sigset_t} holding {@code signals} (none: the empty set), in {@code arena}. */
    static MemorySegment set(Arena arena, int... signals) {
        long mask = 0;
        for (int s : signals) {
            mask |= bit(s);
        }
        MemorySegment set = arena.allocate(SIGSET_BYTES, 8);
        set.set(JAVA_LONG, 0, mask);
        return set;
    }

    /** The bit of {@code signal} (1 to 64) in a kernel signal set. */
    static long bit(int signal) {
        if (signal < 1 || signal > 64) {
            throw new IllegalArgumentException("not a signal: " + signal);
        }
        return 1L << (signal - 1);
    }
}
