package io.cellos.telemetry.wire;

/**
 * A process's end as {@code waitpid(2)} encodes it: {@code code << 8} for an exit, the signal
 * number for a death by signal. It is what {@code process.exited} carries in {@code exit_code} and
 * what init reports on the exit-code channel (port 9000).
 *
 * @param raw the encoded status
 */
public record WaitStatus(int raw) {
    /** The x86-64 Linux names of signals 1 to 31, by number (index 0 unused). */
    private static final String[] SIGNALS = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
            "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
            "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
            "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
    private static final int SIGRTMIN = 34;
    private static final int SIGRTMAX = 64;

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

    /**
     * Whether {@link #raw} is what {@code waitpid(2)} reports for a process that ended: 16 bits, and
     * not a stopped or continued process's status. A guest can send any 32-bit value.
     */
    public boolean isTermination() {
        return (raw & 0xffff0000) == 0 && (raw & 0x7f) != 0x7f;
    }

    /** Whether the process dumped core; meaningful when not {@link #exited}. */
    public boolean coreDumped() {
        return (raw & 0x80) != 0;
    }

    /**
     * The name of signal {@code n} on x86-64 Linux ({@code SIGKILL}, {@code SIGRTMIN+3}), or
     * {@code null} for a number that is not a signal.
     */
    public static String signalName(int n) {
        if (n > 0 && n < SIGNALS.length) {
            return SIGNALS[n];
        }
        return n >= SIGRTMIN && n <= SIGRTMAX ? "SIGRTMIN+" + (n - SIGRTMIN) : null;
    }

    /** The status a shell would give: the exit code, or 128 + the signal. */
    public int shellStatus() {
        return exited() ? code() : ExitCode.SIGNAL_BASE + signal();
    }

    /** {@code "exit 42"} or {@code "signal 9 (SIGKILL)"}. */
    @Override
    public String toString() {
        if (exited()) {
            return "exit " + code();
        }
        String name = signalName(signal());
        return "signal " + signal() + (name == null ? "" : " (" + name + ")") + (coreDumped() ? ", core dumped" : "");
    }
}
