package io.cellos.telemetry.wire;

/**
 * Every exit status the project's programs give, in one place: the commands' ({@code cellos},
 * {@code cellos-telemetry}, the harnesses), the agent's launch contract, and those init gives, and
 * reports on the exit-code channel (protocol.md §1.2), when the workload never ran.
 *
 * <p>Statuses 125 to 127 and 128 + a signal follow the shell's conventions, so that a cell's
 * status reads as its workload's would in a shell.
 */
public final class ExitCode {
    /** Done as asked; for the agent's launcher, the agent is ready. */
    public static final int OK = 0;
    /** The command ran and could not finish: an input refused, a check failed, a service unreachable. */
    public static final int FAILED = 1;
    /** A command line that cannot be carried out: bad usage, or a setting the command cannot run in. */
    public static final int USAGE = 2;
    /** The agent could not become ready (the launch contract), or its command line is bad. */
    public static final int NOT_READY = 2;
    /** The agent failed after it was ready and could not recover. */
    public static final int AGENT_FAILED = 3;
    /** The cell stopped before the workload started (init's, and a local cell's). */
    public static final int CELL_FAILED = 125;
    /** The workload's program was found and cannot be executed. */
    public static final int NOT_EXECUTABLE = 126;
    /** The workload's program was not found. */
    public static final int NOT_FOUND = 127;
    /** A process a signal ended exits, as a shell says it, with this plus the signal's number. */
    public static final int SIGNAL_BASE = 128;

    private ExitCode() {
    }
}
