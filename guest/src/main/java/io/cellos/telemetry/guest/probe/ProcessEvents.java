package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.guest.exec.FileKey;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

/**
 * How every process probe (the connector, the walk, eBPF) declares a process's life (protocol.md
 * §4–§5), in one place so that all the mechanisms keep the same order with the agent's
 * {@link KnownProcesses}: it hears of a fork before the scope is asked about the child (so the child of an in-scope parent
 * is in scope), and of an exit only after the scope was asked about the exiting process (so its
 * last event is attributed).
 *
 * <p>A comm that is not known ({@code null}) is declared empty rather than guessed.
 *
 * <p>Confined to the loop thread.
 */
public final class ProcessEvents {
    private final boolean declareExecs;

    /** @param declareExecs whether execs are declared here, or by another probe (audit) */
    public ProcessEvents(boolean declareExecs) {
        this.declareExecs = declareExecs;
    }

    /** Whether execs are declared here: else an exec's path is not needed, and need not be read. */
    public boolean declaresExecs() {
        return declareExecs;
    }

    /** {@code process.spawned}, with {@code parent_pid}. */
    public void spawned(ProbeOutput out, long nanos, int pid, int parent, String comm) {
        out.processes().forked(parent, pid, comm, nanos);
        if (out.processes().inScope(pid)) {
            out.emit(new ProbeEvent(Wire.VERSION_1_1, ProbeSource.PROCESS_SPAWNED, pid, orEmpty(comm), nanos,
                    Extensions.NONE.withParentPid(Integer.toUnsignedLong(parent))));
        }
    }

    /** {@code process.exec}, with {@code path} when the executable's path is known. */
    public void exec(ProbeOutput out, long nanos, int pid, String comm, String path) {
        exec(out, nanos, pid, comm, path, null, null);
    }

    /**
     * {@code process.exec}, with {@code path} and {@code cmdline} (protocol §4's form) where known
     * ({@code null} where not); {@code file}, the key of the file the kernel executed where the probe
     * read it ({@link KnownProcesses#execed}), is told to the agent, not declared.
     */
    public void exec(ProbeOutput out, long nanos, int pid, String comm, String path, String cmdline, FileKey file) {
        out.processes().execed(pid, comm, nanos, file);

        if (declareExecs && out.processes().inScope(pid)) {
            Extensions x = path == null ? Extensions.NONE : Extensions.NONE.withPath(path);
            x = cmdline == null ? x : x.withCmdline(cmdline);
            out.emit(x.isEmpty()
                    ? ProbeEvent.of(ProbeSource.PROCESS_EXEC, pid, orEmpty(comm), nanos)
                    : new ProbeEvent(Wire.VERSION_1_1, ProbeSource.PROCESS_EXEC, pid, orEmpty(comm), nanos, x));
        }
    }

    /**
     * {@code process.exited}, with {@code exit_code} when the wait status is known.
     *
     * @param waitStatus the raw wait status as an unsigned 32-bit value, or -1 when unknown
     */
    public void exited(ProbeOutput out, long nanos, int pid, String known, long waitStatus) {
        String comm = known != null && !known.isEmpty() ? known : out.processes().nameOf(pid);
        boolean inScope = out.processes().inScope(pid);
        if (inScope) {
            out.emit(waitStatus < 0
                    ? ProbeEvent.of(ProbeSource.PROCESS_EXITED, pid, orEmpty(comm), nanos)
                    : new ProbeEvent(Wire.VERSION_1_1, ProbeSource.PROCESS_EXITED, pid, orEmpty(comm), nanos,
                            Extensions.NONE.withExitCode(waitStatus)));
        }
        out.processes().ended(pid);
    }

    private static String orEmpty(String comm) {
        return comm == null ? "" : comm;
    }
}
