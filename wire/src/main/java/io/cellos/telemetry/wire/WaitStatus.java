package io.cellos.telemetry.wire;

/**
 * A process's end as {@code waitpid(2)} encodes it: {@code code << 8} for an exit, the signal
 * number for a death by signal. It is what {@code process.exited} carries in {@code exit_code} and
 * what init reports on the exit-code channel (port 9000).
 *
 * @param raw the encoded status
 */
public record WaitStatus(int raw) {
    /** The status of an exit with {@code code}. */
    public static WaitStatus ofExit(int code) {
        return new WaitStatus((code & 0xff) << 8);
    }

    /** Whether the process exited (rather than being ended by a signal). */
    public boolean exited() {
        return (raw & 0x7f) == 0;
    }

    /** The exit code; meaningful when {@link #exited}. */
    public int code() {
        return (raw >> 8) & 0xff;
    }

    /** The signal that ended the process; meaningful when not {@link #exited}. */
    public int signal() {
        return raw & 0x7f;
    }

    /** The status a shell would give: the exit code, or 128 + the signal. */
    public int shellStatus() {
        return exited() ? code() : 128 + signal();
    }

    /** {@code "exit 42"} or {@code "signal 9"}. */
    @Override
    public String toString() {
        return exited() ? "exit " + code() : "signal " + signal();
    }
}
