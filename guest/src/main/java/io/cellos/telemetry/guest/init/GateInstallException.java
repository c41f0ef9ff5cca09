package io.cellos.telemetry.guest.init;

/**
 * The seccomp gate, or the workload's isolation that goes with it, could not be set up: nothing
 * was started. The cause is the failed call ({@code ErrnoException}: which syscall, which errno)
 * the {@code /proc} read that failed, or more threads to protect than the gate can hold.
 */
public final class GateInstallException extends Exception {
    private static final long serialVersionUID = 1L;

    GateInstallException(String message, Throwable cause) {
        super(message, cause);
    }
}
