package io.cellos.telemetry.guest.linux;

import java.lang.foreign.MemorySegment;

/**
 * One Linux x86-64 system call, by name (its number from {@link SyscallTable}), made through
 * {@link Native#syscall}.
 *
 * <p>{@link #call} and {@link #callOrErrno} take {@code int}, {@code long} and native
 * {@link MemorySegment} arguments (passed as their address) and box them: for set-up. Hot paths
 * use {@link #invoke}, which allocates nothing.
 *
 * <p>Immutable and thread-safe: errno is captured per thread.
 */
public final class Syscall {
    private final String name;
    private final long number;

    /** @throws IllegalArgumentException if {@link SyscallTable} does not have {@code name} */
    Syscall(String name) {
        this.name = name;
        this.number = SyscallTable.number(name);
    }

    /** The call's name, as errors print it. */
    public String name() {
        return name;
    }

    /**
     * Makes the call.
     *
     * @param what names the object of the call in errors ({@code "AF_VSOCK"}, a path); may be null
     * @return the non-negative result
     * @throws ErrnoException when the kernel refuses it
     */
    public long call(String what, Object... args) throws ErrnoException {
        long rc = callOrErrno(args);
        if (rc < 0) {
            throw new ErrnoException(what == null ? name + "()" : name + "(" + what + ")", (int) -rc);
        }
        return rc;
    }

    /**
     * Makes the call.
     *
     * @param args at most six {@code Integer}, {@code Long} or native {@code MemorySegment} values
     * @return the result, or {@code -errno}
     */
    public long callOrErrno(Object... args) {
        if (args.length > 6) {
            throw new IllegalArgumentException(name + ": a system call takes at most 6 arguments, not " + args.length);
        }
        long[] a = new long[6];
        for (int i = 0; i < args.length; i++) {
            // if-else rather than a pattern switch, which would bootstrap method handles at run time
            if (args[i] instanceof Integer v) {
                a[i] = v;
            } else if (args[i] instanceof Long v) {
                a[i] = v;
            } else if (args[i] instanceof MemorySegment s) {
                a[i] = Native.address(s);
            } else {
                throw new IllegalArgumentException(name + ": argument " + i + " is " + args[i]
                        + ", not an int, a long or a native segment");
            }
        }
        return Native.syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    }

    /** Makes the call without allocating: the result, or {@code -errno}. */
    public long invoke(long a1, long a2, long a3, long a4, long a5, long a6) {
        return Native.syscall(number, a1, a2, a3, a4, a5, a6);
    }
}
