package io.cellos.telemetry.guest.exec;

/** What the file a process executed was when it was opened for hashing. */
public enum ExecutableKind {
    /** A file with a name in a filesystem. */
    REGULAR,
    /** A file deleted after it was executed, or before (its last name is gone; it lives while open). */
    DELETED,
    /** An anonymous memory file ({@code memfd_create(2)}) executed through its descriptor. */
    MEMFD,
    /** Not known: the file could not be opened. */
    UNKNOWN;

    private static final String DELETED_SUFFIX = " (deleted)";
    private static final String MEMFD_PREFIX = "/memfd:";

    /**
     * The kind of an open file, from the kernel's name for it ({@code /tmp/x (deleted)},
     * {@code /memfd:name (deleted)}) and its link count: a file that still has a name is regular
     * even if that name happens to end in " (deleted)".
     *
     * @param name  the target of its {@code /proc/self/fd} link, or null if it could not be read
     * @param links its {@code st_nlink}
     */
    static ExecutableKind of(String name, long links) {
        if (links > 0) {
            return REGULAR;
        }
        if (name == null) {
            return DELETED;
        }
        return name.startsWith(MEMFD_PREFIX) && name.endsWith(DELETED_SUFFIX) ? MEMFD : DELETED;
    }
}
