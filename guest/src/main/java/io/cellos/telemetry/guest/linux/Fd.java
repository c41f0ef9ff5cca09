package io.cellos.telemetry.guest.linux;

/**
 * An open file descriptor with exactly one owner, who closes it. Closing twice is harmless.
 *
 * <p>Not thread-safe: confined to its owner's thread.
 */
public final class Fd implements AutoCloseable {
    private final String what;
    private int fd;

    /**
     * @param fd   the descriptor, now owned by this object
     * @param what what it is, for messages ({@code "netlink connector socket"})
     */
    public Fd(int fd, String what) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        this.fd = fd;
        this.what = what;
    }

    /** The descriptor number; valid until {@link #close}. */
    public int get() {
        if (fd < 0) {
            throw new IllegalStateException(what + " is closed");
        }
        return fd;
    }

    /** What this descriptor is. */
    public String what() {
        return what;
    }

    public boolean isOpen() {
        return fd >= 0;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Libc.CLOSE.callOrErrno(fd); // close(2) releases the descriptor even when it reports an error
            fd = -1;
        }
    }

    @Override
    public String toString() {
        return what + " (fd " + fd + ")";
    }
}
