package io.cellos.telemetry.guest.probe.file;

import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;

import java.io.IOException;

/**
 * A declared watch path that no mechanism can watch: it does not exist, a component of it is not a
 * directory, it loops, it is too long, or the agent may not read it. Arming fails with this rather
 * than falling back to another mechanism, since every mechanism would fail the same way; under
 * {@code fail-cell} the agent exits 2 with its message.
 *
 * <p>The message is the failed call's: {@code "fanotify_mark(/srv/x): errno 2 (ENOENT: No such
 * file or directory)"}.
 */
final class WatchPathException extends IOException {
    private static final long serialVersionUID = 1L;
    // errno values not (yet) in Errno, x86-64

    private final String path;

    private WatchPathException(String path, ErrnoException cause) {
        super(cause.getMessage(), cause);
        this.path = path;
    }

    /** Watches one declared path: a fanotify mark, an inotify watch. */
    @FunctionalInterface
    interface PathMark {
        void mark(int index, String path) throws ErrnoException;
    }

    /**
     * Marks every declared path, in order, and turns a failure into what it means ({@link #classify}):
     * the one way both file-watch probes arm their paths.
     */
    static void markAll(java.util.List<String> paths, PathMark mark) throws IOException {
        for (int i = 0; i < paths.size(); i++) {
            try {
                mark.mark(i, paths.get(i));
            } catch (ErrnoException e) {
                throw classify(paths.get(i), e);
            }
        }
    }

    /**
     * What a failure to resolve {@code path} means: a {@code WatchPathException} when the errno
     * says the path itself is wrong, else {@code failure} unchanged (the mechanism is to blame).
     */
    private static IOException classify(String path, ErrnoException failure) {
        return switch (failure.errno()) {
            case Errno.ENOENT, Errno.EACCES, Errno.ENOTDIR, Errno.ENAMETOOLONG, Errno.ELOOP -> new WatchPathException(path, failure);
            default -> failure;
        };
    }

    /** The declared path. */
    public String path() {
        return path;
    }

    /** The errno of the call that failed. */
    public int errno() {
        return ((ErrnoException) getCause()).errno();
    }
}
