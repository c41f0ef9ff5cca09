package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.Processes;
import io.cellos.telemetry.guest.linux.Signals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the agent does to itself before anything else: non-dumpable ({@link Processes#makeNonDumpable}:
 * no core dumps, nothing to trace or read without {@code CAP_SYS_PTRACE}, unlisted in the
 * workload's {@code /proc}), a name of its own, and deafness to the signals a terminal or a dying
 * parent would send. Its OOM score is {@link OomGuard}'s.
 */
final class SelfProtection {
    /** The process name the agent takes (what {@code guest_comm} says for its own frames). */
    static final String COMM = "cellos-agent";

    private SelfProtection() {
    }

    /** Applies it all. */
    static void apply() throws ErrnoException {
        Processes.makeNonDumpable();
        // Java's main() does not run on the process's first thread, so PR_SET_NAME would rename the
        // wrong one; a write to /proc/self/comm from any thread renames the thread-group leader.
        try {
            Files.writeString(Path.of("/proc/self/comm"), COMM);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot name the agent process via /proc/self/comm", e);
        }
        for (int signo : new int[] {Signals.SIGHUP, Signals.SIGINT, Signals.SIGQUIT,
                Signals.SIGPIPE, Signals.SIGTSTP, Signals.SIGTTIN, Signals.SIGTTOU}) {
            Signals.ignore(signo);
        }
    }

    /** Leaves the launcher's session and process group, so no terminal can signal the agent. */
    static void detach() throws ErrnoException {
        Libc.SETSID.call(null);
    }
}
