package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.exec.FileKey;
import io.cellos.telemetry.guest.probe.KnownProcesses;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the probes told the agent of each process — the name it took at fork or exec, and the
 * kernel's stamps of its fork and execs — kept after the process is gone: a short-lived writer of a
 * watched file is named from here once {@code /proc} has forgotten it, and audit's records, whose
 * clock is coarse, are dated against the process connector's exact stamps.
 *
 * <p>The probes do not report in the order things happened (audit's exec record can be read before
 * the connector's fork message of the same process), so the rules are order-free: a name an exec
 * gave is never replaced by the name from the fork of the same process; only a fork after the
 * process was heard to end starts a new one under the pid.
 *
 * <p>It is the probes' {@link KnownProcesses}: which processes are in scope is the
 * {@link ProcessScope}'s answer.
 *
 * <p>Bounded: the least recently told processes go first. Confined to the agent's loop thread.
 */
final class ProcessHistory implements KnownProcesses {
    /** What is known of one process. Stamps are {@code CLOCK_MONOTONIC} nanoseconds, -1 unknown. */
    private static final class Known {
        String comm;
        /** Whether {@link #comm} came from an exec (else from the fork: the parent's). */
        boolean fromExec;
        boolean ended;
        /** The newest of the kernel's fork and exec stamps. */
        long latestNanos = -1;
        /** The kernel's stamp of an exec that no audit exec record has claimed yet. */
        long unclaimedExecNanos = -1;
        /** The key of the file its latest exec ran, where the probe read it; null if not. */
        FileKey execFile;
        /** The stamp of the exec {@link #execFile} belongs to. */
        long execFileNanos = -1;
    }

    private final Map<Integer, Known> entries;
    private final ProcessScope scope;

    /** @param capacity the most processes it keeps */
    ProcessHistory(int capacity, ProcessScope scope) {
        this.scope = scope;
        this.entries = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Known> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * The process connector (or the walk) saw {@code parent} fork {@code pid} at {@code nanos}, with
     * the name it was born with ({@code null}: unknown): the scope hears of it first. An exec-given
     * name of the same process, told first, is kept.
     */
    @Override
    public boolean inScope(int pid) {
        return scope.contains(pid);
    }

    @Override
    public void forked(int parent, int pid, String comm, long nanos) {
        scope.onFork(parent, pid);
        Known e = entries.get(pid);
        if (e == null || e.ended || !e.fromExec) {
            e = new Known();
            e.comm = comm;
            entries.put(pid, e);
        }
        e.latestNanos = Math.max(e.latestNanos, nanos);
    }

    /**
     * The process probe (the connector, or eBPF) saw {@code pid} exec at {@code nanos}, and read the
     * new name ({@code null}: the process was gone): a name from its fork is then no longer its own
     * and is forgotten, while one an exec record already gave is kept. The key of the file it ran,
     * where the probe read it, is kept for {@link #takeExecutedFile} if the process is in scope —
     * only its exec's hash is asked for.
     */
    @Override
    public void execed(int pid, String comm, long nanos, FileKey file) {
        scope.onExec(pid);
        Known e = entries.computeIfAbsent(pid, p -> new Known());
        e.execFile = scope.contains(pid) ? file : null;
        e.execFileNanos = nanos;
        if (comm != null) {
            e.comm = comm;
            e.fromExec = true;
        } else if (!e.fromExec) {
            e.comm = null;
        }
        if (e.unclaimedExecNanos < 0) {
            e.unclaimedExecNanos = nanos;
        }
        e.latestNanos = Math.max(e.latestNanos, nanos);
    }

    /** Audit's exec record named the program {@code pid} runs now. */
    @Override
    public void execNamed(int pid, String comm) {
        Known e = entries.computeIfAbsent(pid, p -> new Known());
        e.comm = comm;
        e.fromExec = true;
    }

    /** The process connector saw {@code pid} end; its name stays known, and the scope answers for it a while. */
    @Override
    public void ended(int pid) {
        scope.onExit(pid);
        Known e = entries.get(pid);
        if (e != null) {
            e.ended = true;
        }
    }

    /** The last name told for {@code pid}, or {@code null}. */
    @Override
    public String nameOf(int pid) {
        Known e = entries.get(pid);
        return e == null ? null : e.comm;
    }

    /**
     * The key of the file {@code pid} executed at {@code execNanos}, as its probe read it from the
     * kernel, given once (the exec's hash is asked for once) and then forgotten; null if the probe
     * did not read it, or the process is forgotten or out of scope, or it has exec'd since.
     */
    FileKey takeExecutedFile(int pid, long execNanos) {
        Known e = entries.get(pid);
        if (e == null || e.execFileNanos != execNanos) {
            return null;
        }
        FileKey file = e.execFile;
        e.execFile = null;
        return file;
    }

    /**
     * The stamp for an audit exec record of {@code pid} stamped {@code auditNanos}: the connector's
     * exact stamp of the same exec (the oldest one not claimed yet — both see every successful exec,
     * in order), else {@code auditNanos} raised to the newest stamp known for the process.
     */
    long claimExec(int pid, long auditNanos) {
        Known e = entries.get(pid);
        if (e == null) {
            return auditNanos;
        }
        if (e.unclaimedExecNanos >= 0) {
            long exact = e.unclaimedExecNanos;
            e.unclaimedExecNanos = -1;
            return exact;
        }
        return Math.max(auditNanos, e.latestNanos);
    }

    /**
     * {@code nanos} raised to the newest fork or exec stamp known for {@code pid}: what a process
     * did is never dated before it was born or took its program.
     */
    long notBeforeBirth(int pid, long nanos) {
        Known e = entries.get(pid);
        return e == null ? nanos : Math.max(nanos, e.latestNanos);
    }
}
