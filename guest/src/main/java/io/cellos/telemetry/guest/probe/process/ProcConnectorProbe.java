package io.cellos.telemetry.guest.probe.process;

import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.ProcConnector;
import io.cellos.telemetry.guest.linux.ProcFs;
import io.cellos.telemetry.guest.probe.ForeignDatagrams;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.guest.probe.ProcessEvents;

import java.io.IOException;

/**
 * Processes, from the kernel's netlink process connector: {@code process.spawned} on every fork
 * of a new process, {@code process.exec} on every exec, {@code process.exited} on every exit, as
 * the kernel reports them, however short-lived the process. Threads are not declared.
 *
 * <ul>
 * <li>spawned: {@code guest_pid} the child, {@code parent_pid} the parent process, {@code guest_comm}
 *     the name the child was born with, which is the forking thread's (fork copies it; the child's
 *     own {@code /proc} entry may already show a program it has exec'd since, or be gone);
 * <li>exec: {@code guest_comm} the new name and {@code path} the executable, both read from
 *     {@code /proc} when the event is handled; a process already gone by then is declared with an
 *     empty comm and no path. When another probe declares execs (audit), only the name is read:
 *     it is what the agent learns of the process here;
 * <li>exited: {@code exit_code} the raw wait status, {@code guest_comm} the last name known.
 * </ul>
 * {@code guest_monotonic_ns} is the kernel's stamp of the event ({@code CLOCK_MONOTONIC}).
 *
 * <p>Losses: an {@code ENOBUFS} read and a gap in a CPU's sequence numbers are counted through
 * {@link ProbeOutput#lost} (see {@link ConnectorLosses}) and make the probe, at the end of the
 * wake-up that found them, resync with {@code /proc}: a process it does not know is declared
 * spawned (parent and comm as {@code /proc} shows them, stamped with the time of the resync), one
 * it knows that has gone is declared exited (without {@code exit_code}), and both are told to the
 * agent's {@link io.cellos.telemetry.guest.probe.KnownProcesses}, so that the table of names and the scope are right again. Each such
 * process is marked with the resync's time, so that its own fork or exit message, if it was merely
 * still queued (the kernel stamped it before the resync), is not declared a second time, however
 * many wakes or resyncs later it is read. A process marked exited whose exit message was lost
 * stays in the table until its pid is reused, or until the probe has read messages stamped a
 * {@linkplain #MARK_HORIZON_NANOS second} past the mark, by when anything queued before it was read.
 *
 * <p>Confined to the loop thread, which the socket wakes level-triggered; it handles at most
 * {@value #DATAGRAMS_PER_WAKEUP} messages per wake-up so as not to starve the other probes. Owns
 * the connector socket (from {@link #arm} to {@link #close}) and its buffers.
 */
final class ProcConnectorProbe implements Probe {
    /** The default kernel receive buffer (the kernel doubles it): a few thousand events can wait for the loop. */
    public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 1 << 20;
    /** The most processes whose names the probe remembers. */
    static final int MAX_PROCESSES = 1 << 16;
    static final String DESCRIPTION = "processes (netlink proc connector)";
    private static final int DATAGRAMS_PER_WAKEUP = 256;
    /**
     * How far past a resync the kernel's stamps must have gone before its exit marks are forgotten:
     * the socket queues messages in the order they were sent, and CPUs stamp and send within
     * microseconds of each other, so by then no message stamped before the resync is still queued.
     */
    static final long MARK_HORIZON_NANOS = 1_000_000_000L;

    private final ProcessEvents events;
    private final int receiveBufferBytes;
    private final PidTable table = new PidTable(MAX_PROCESSES);
    private final ThreadNames threadNames = new ThreadNames();
    private final ConnectorLosses losses = new ConnectorLosses();
    private final ForeignDatagrams foreign = new ForeignDatagrams("the process connector socket");
    private ProcConnector connector;
    private ProcFs procFs;
    private ProcScan scan;
    private boolean resyncPending;
    /** The newest kernel stamp of a message read. */
    private long newestStamp;
    /** The last wake stopped at {@link #DATAGRAMS_PER_WAKEUP} with messages left. */
    private boolean behind;

    /** A probe with the {@linkplain #DEFAULT_RECEIVE_BUFFER_BYTES default receive buffer}. */
    public ProcConnectorProbe() {
        this(DEFAULT_RECEIVE_BUFFER_BYTES, true);
    }

    /**
     * @param receiveBufferBytes the socket's kernel receive buffer: how many events may wait
     * @param declareExecs       whether to declare {@code process.exec}; {@code false} when the audit
     *                           probe declares execs (it names programs this probe may find gone)
     */
    public ProcConnectorProbe(int receiveBufferBytes, boolean declareExecs) {
        this.events = new ProcessEvents(declareExecs);
        this.receiveBufferBytes = receiveBufferBytes;
    }

    @Override
    public String description() {
        return DESCRIPTION;
    }

    /**
     * Subscribes to the connector, then reads the process table in {@code /proc} as the baseline
     * (processes already there are not declared, but their names are known).
     *
     * @throws ErrnoException naming {@code socket}, {@code bind} or the kernel's refusal of the
     *                        subscription, with the errno
     * @throws IOException    when the connector is not there for this process: outside the initial
     *                        network, PID or user namespace, or without {@code CONFIG_PROC_EVENTS}
     */
    @Override
    public void arm() throws IOException {
        if (connector != null) {
            throw new IllegalStateException(description() + " is armed already");
        }
        ProcConnector c = new ProcConnector(receiveBufferBytes);
        ProcFs fs = new ProcFs();
        try {
            c.listen();
            ProcScan s = new ProcScan(fs, table);
            s.baseline();
            scan = s;
        } catch (IOException | RuntimeException e) {
            fs.close();
            c.close();
            throw e;
        }
        connector = c;
        procFs = fs;
    }

    @Override
    public int fd() {
        return connector.fd();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        behind = true;
        for (int i = 0; i < DATAGRAMS_PER_WAKEUP; i++) {
            long n = connector.receive();
            if (n == 0) {
                behind = false;
                break;
            }
            if (n == -Errno.ENOBUFS) {
                out.lost(losses.onOverrun());
                resyncPending = true;
                continue;
            }
            for (long off = 0; connector.hasMessage(off, n); off = connector.next(off)) {
                if (connector.isProcEvent(off)) {
                    handle(out, off);
                }
            }
        }
        if (resyncPending) {
            resync(out);
        }
        foreign.check(connector.foreign(), connector.lastForeignPort(), out);
    }

    @Override
    public boolean processesBehind() {
        return behind;
    }

    private void handle(ProbeOutput out, long off) {
        long lost = losses.onMessage(connector.cpu(off), connector.seq(off));
        if (lost > 0) {
            out.lost(lost);
            resyncPending = true;
        }
        switch (connector.what(off)) {
            case ProcConnector.PROC_EVENT_FORK -> onFork(out, off);
            case ProcConnector.PROC_EVENT_EXEC -> onExec(out, off);
            case ProcConnector.PROC_EVENT_EXIT -> onExit(out, off);
            case ProcConnector.PROC_EVENT_COMM -> onComm(off);
            default -> {
                // ids, sessions, ptrace, core dumps, acknowledgements: nothing to declare
            }
        }
    }

    private void onFork(ProbeOutput out, long off) {
        int parentPid = connector.data(off, 0);
        int parentTgid = connector.data(off, 1);
        int child = connector.data(off, 3);
        if (connector.data(off, 2) != child) {
            threadNames.forget(connector.data(off, 2)); // a new thread, not a new process: its id is fresh
            return;
        }
        long stamp = stamp(off);
        int slot = table.find(child);
        if (slot >= 0 && table.marked(slot, PidTable.DECLARED_SPAWN) && stamp < table.markedAt(slot)) {
            return; // the resync found this very process and declared it
        }
        String comm = bornName(out, parentPid, parentTgid, child);
        table.put(child, comm);
        events.spawned(out, stamp, child, parentTgid, comm);
    }

    /**
     * The comm a child got from the thread that forked it: the thread's own (the name it gave
     * itself, else as {@code /proc} shows it while it lives), the parent's as this probe read it at
     * its exec, as the agent heard it (audit's exec record names a parent that was gone before this
     * probe could read it), or, last, the child's.
     */
    private String bornName(ProbeOutput out, int parentPid, int parentTgid, int child) {
        if (parentPid != parentTgid) {
            // a thread's name may differ from its process's, which is all the table knows
            String comm = threadNames.of(parentPid);
            if (comm == null) {
                comm = procFs.threadComm(parentTgid, parentPid);
            }
            if (comm != null) {
                return comm;
            }
        }
        int slot = table.find(parentTgid);
        if (slot >= 0 && table.comm(slot) != null) {
            return table.comm(slot);
        }
        String heard = out.processes().nameOf(parentTgid);
        return heard != null ? heard : procFs.comm(child);
    }

    private void onExec(ProbeOutput out, long off) {
        int pid = connector.data(off, 1);
        if (connector.data(off, 0) != pid) {
            return; // the kernel makes an exec'ing thread the leader first, so this is not expected
        }
        String comm = procFs.comm(pid);
        // under audit, audit's record declares the exec with its path: one readlink per exec saved
        String path = comm == null || !events.declaresExecs() ? null : procFs.exe(pid);
        int slot = table.find(pid);
        if (slot >= 0) {
            table.comm(slot, comm); // keeps a resync's marks: this message may predate it
        } else {
            table.put(pid, comm);
        }
        events.exec(out, stamp(off), pid, comm, path);
    }

    private void onExit(ProbeOutput out, long off) {
        int pid = connector.data(off, 1);
        if (connector.data(off, 0) != pid) {
            threadNames.forget(connector.data(off, 0)); // a thread ended, not the process
            return;
        }
        long stamp = stamp(off);
        String comm = null;
        int slot = table.find(pid);
        if (slot >= 0) {
            boolean declared = table.marked(slot, PidTable.DECLARED_EXIT) && stamp < table.markedAt(slot);
            comm = table.comm(slot);
            table.remove(slot);
            if (declared) {
                return; // the resync found it gone and declared it
            }
        }
        if (comm == null) {
            comm = procFs.comm(pid); // unknown so far: it may linger as a zombie
        }
        events.exited(out, stamp, pid, comm, Integer.toUnsignedLong(connector.data(off, 2)));
    }

    private void onComm(long off) {
        int pid = connector.data(off, 1);
        if (connector.data(off, 0) != pid) {
            threadNames.renamed(connector.data(off, 0), connector.comm(off));
            return;
        }
        int slot = table.find(pid);
        if (slot >= 0) {
            table.comm(slot, connector.comm(off));
        }
    }

    private long stamp(long off) {
        long ns = connector.timestampNs(off);
        long stamp = ns != 0 ? ns : System.nanoTime();
        newestStamp = Math.max(newestStamp, stamp);
        return stamp;
    }

    private void resync(ProbeOutput out) throws ErrnoException {
        resyncPending = false;
        forgetLostExits();
        threadNames.clear();
        long now = System.nanoTime();
        scan.diff(new ProcScan.Changes() {
            @Override
            public void appeared(int pid, int parent, String comm) {
                int slot = table.find(pid);
                if (slot >= 0) {
                    table.mark(slot, PidTable.DECLARED_SPAWN, now);
                }
                events.spawned(out, now, pid, parent, comm);
            }

            @Override
            public void vanished(int pid, String comm) {
                table.mark(table.find(pid), PidTable.DECLARED_EXIT, now);
                events.exited(out, now, pid, comm, -1);
            }
        });
    }

    /**
     * Forgets the processes an earlier resync declared exited whose exit message was lost too: once
     * the probe has read messages stamped {@link #MARK_HORIZON_NANOS} past that resync, the message
     * will not come.
     */
    private void forgetLostExits() {
        for (int slot = 0; slot < table.slots(); ) {
            if (table.pidAt(slot) != 0 && table.marked(slot, PidTable.DECLARED_EXIT)
                    && newestStamp - table.markedAt(slot) > MARK_HORIZON_NANOS) {
                table.remove(slot); // moves a later entry into this slot: look at it again
            } else {
                slot++;
            }
        }
    }

    @Override
    public void close() {
        if (connector != null) {
            connector.close();
            procFs.close();
            connector = null;
        }
    }
}
