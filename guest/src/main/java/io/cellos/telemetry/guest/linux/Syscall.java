package io.cellos.telemetry.guest.linux;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * One libc function bound through the FFM API with errno captured, returning {@code int} or
 * {@code long} where {@code -1} means failure. For set-up calls; hot paths use the exact
 * invocations in {@link Libc}.
 *
 * <p>Thread-safe: the errno of a call is captured into a per-thread segment.
 */
public final class Syscall {
    private final String name;
    private final MethodHandle handle;

    Syscall(String name, MethodHandle handle) {
        this.name = name;
        this.handle = handle;
    }

    /** The function's name. */
    public String name() {
        return name;
    }

    /**
     * Calls the function.
     *
     * @param what names the object of the call in errors ({@code "AF_VSOCK"}, a path); may be null
     * @return the non-negative result
     * @throws ErrnoException when it returns {@code -1}
     */
    public long call(String what, Object... args) throws ErrnoException {
        long rc = callOrErrno(args);
        if (rc < 0) {
            throw new ErrnoException(what == null ? name + "()" : name + "(" + what + ")", (int) -rc);
        }
        return rc;
    }

    /** Calls the function; returns its result, or {@code -errno} when it returns {@code -1}. */
    public long callOrErrno(Object... args) {
        MemorySegment state = Native.callState();
        Object[] full = new Object[args.length + 1];
        full[0] = state;
        System.arraycopy(args, 0, full, 1, args.length);
        Object rc;
        try {
            rc = handle.invokeWithArguments(full);
        } catch (Throwable t) {
            throw new IllegalStateException("calling " + name + " through the FFM API", t);
        }
        long v = rc instanceof Integer i ? i : (Long) rc;
        return v == -1 ? -Native.errno(state) : v;
    }
}
