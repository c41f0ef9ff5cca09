package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.wire.ExitCode;

/**
 * The gate was installed and the workload's program could not be started under it: not found,
 * or not executable. The cause is the failed {@code posix_spawnp}.
 */
public final class SpawnException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int errno;

    SpawnException(String program, ErrnoException cause) {
        super(program + ": " + (cause.errno() == Errno.ENOENT ? "command not found"
                : "cannot run it: " + Errno.describe(cause.errno())), cause);
        this.errno = cause.errno();
    }

    /** The error number the spawn failed with. */
    public int errno() {
        return errno;
    }

    /** The status a shell gives for it: {@link ExitCode#NOT_FOUND} or {@link ExitCode#NOT_EXECUTABLE}. */
    public int exitCode() {
        return errno == Errno.ENOENT ? ExitCode.NOT_FOUND : ExitCode.NOT_EXECUTABLE;
    }
}
