package io.cellos.telemetry.guest.linux;

import java.io.IOException;

/** A system call that failed: which call, on what, and the errno with its name and meaning. */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    /**
     * @param call  what was called, with enough of its arguments to act on ({@code "bind(/run/x)"})
     * @param errno the error number
     */
    public ErrnoException(String call, int errno) {
        super(call + ": " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed. */
    public String call() {
        return call;
    }

    /** The error number. */
    public int errno() {
        return errno;
    }
}
