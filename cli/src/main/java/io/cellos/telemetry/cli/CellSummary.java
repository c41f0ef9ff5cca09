package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.event.EventFacts;
import io.cellos.telemetry.wire.ExitCode;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.WaitStatus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Gathers what a person wants to know about a cell at a glance from its events as they are
 * emitted: the workload's status, the process tree (name, executable, pid, status, lifetime),
 * connections attempted, raw and packet sockets opened, files touched and by whom, denials,
 * connections to the cell's channels the host refused to believe, and drops. Each event is taken
 * by what it says ({@link EventFacts}), with a switch over the kinds of event and the guest's probe
 * sources; its JSON is never read back. At the end, {@link #report} gives the snapshot the summary's
 * forms are written from ({@link SummaryText}, {@link SummaryJson}, {@link SummaryMarkdown}).
 *
 * <p>A process is named everywhere by its comm, as the events carry it: the name the kernel keeps
 * for each process, set from the file name it executes and changeable by the process itself. The
 * tree adds the executable, so that {@code sh (/usr/bin/dash)} in the tree is {@code sh} in the
 * lists.
 *
 * <p>Thread-safe: the receiver's threads call {@link #accept}; another thread takes the report.
 */
final class CellSummary {
    /** One process, as the events describe it so far. */
    private static final class Proc {
        final long pid;
        long parent = -1;
        String comm = "?";
        String path;
        long startNs = -1;
        long endNs = -1;
        WaitStatus status;
        boolean execed;

        Proc(long pid) {
            this.pid = pid;
        }
    }

    private volatile long rootPid = -1;
    private final Map<Long, Proc> procs = new LinkedHashMap<>();
    private final List<ProbeEvent> connects = new ArrayList<>();
    private final List<ProbeEvent> rawSockets = new ArrayList<>();
    private final List<ProbeEvent> files = new ArrayList<>();
    private final List<ProbeEvent> denials = new ArrayList<>();
    private final List<String> refusedChannels = new ArrayList<>();
    private final List<String> tampered = new ArrayList<>();
    private final CountDownLatch rootExited = new CountDownLatch(1);
    private long agentDropped;
    private long hostDropped;
    private int silenced;
    private int events;

    /** Names the tree's root, init, by its pid as the agent reports pids; before any event arrives. */
    void root(long pid) {
        rootPid = pid;
    }

    /** Takes one event, by what it says: nothing is read back from its JSON. */
    void accept(CellEvent event) {
        accept(event.facts());
    }

    /** Takes one event's facts: as the receiver emits them, or as an event log gives them back. */
    void accept(EventFacts facts) {
        synchronized (this) {
            events++;
            switch (facts) {
                case EventFacts.Guest g -> guest(g.probe());
                case EventFacts.ChannelRefused r -> refusedChannels.add("port " + r.port() + ", connection "
                        + r.connection() + ": " + r.reason());
                case EventFacts.HostDropped d -> {
                    // refused connections have their own line; frames are what this count is about
                    hostDropped = Math.max(hostDropped,
                            d.total() - d.byCause().getOrDefault(DropCause.CHANNEL_REFUSED, 0L));
                    agentDropped = Math.max(agentDropped, d.agentDroppedTotal());
                }
                case EventFacts.SinkDropped d -> hostDropped = Math.max(hostDropped, d.total());
                case EventFacts.AgentSilenced s -> silenced++;
                case EventFacts.RecordClosed c -> agentDropped = Math.max(agentDropped, c.agentDroppedTotal());
            }
        }
    }

    /** One guest frame, by its probe source; the caller holds the monitor. */
    private void guest(ProbeEvent e) {
        long pid = e.guestPid();
        String comm = e.guestComm();
        Extensions x = e.extensions();
        switch (e.source()) {
            case PROCESS_SPAWNED -> {
                Proc p = proc(pid);
                p.parent = x.parentPid() != null ? x.parentPid() : -1;
                if (!p.execed) { // the agent may send a fork after the exec that followed it
                    p.comm = comm;
                }
                p.startNs = e.guestMonotonicNs();
            }
            case PROCESS_EXEC -> {
                Proc p = proc(pid);
                p.comm = comm;
                p.execed = true;
                if (x.path() != null) {
                    p.path = x.path();
                }
            }
            case PROCESS_EXITED -> {
                Proc p = proc(pid);
                p.endNs = e.guestMonotonicNs();
                if (x.exitCode() != null) {
                    p.status = new WaitStatus((int) (long) x.exitCode());
                }
                if (pid == rootPid) {
                    rootExited.countDown();
                }
            }
            case NET_CONNECT_ATTEMPTED -> connects.add(e);
            case NET_RAW_SOCKET_OPENED -> rawSockets.add(e);
            case FS_INOTIFY_FIRED -> files.add(e);
            case CAPABILITY_DENIED -> denials.add(e);
            case AGENT_TAMPERED -> tampered.add(CellReport.orUnknown(x.what()));
            case TELEMETRY_DROPPED -> agentDropped = Math.max(agentDropped, x.droppedTotal() != null ? x.droppedTotal() : 0);
            case AGENT_HEARTBEAT -> {
            }
        }
    }

    /** Waits up to {@code millis} for the root's {@code process.exited}; whether it came. */
    boolean awaitRootExit(long millis) throws InterruptedException {
        return rootExited.await(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * What the cell did, from the events so far.
     *
     * @param workload   the workload's argv
     * @param reported   the workload's status as init reported it on the exit channel, if it did
     * @param initStatus init's own exit status, said when nothing was reported
     */
    synchronized CellReport report(List<String> workload, Optional<WaitStatus> reported, int initStatus) {
        boolean failedExec = reported.filter(r -> r.shellStatus() == ExitCode.NOT_FOUND
                || r.shellStatus() == ExitCode.NOT_EXECUTABLE).isPresent();
        Proc unstarted = failedExec ? neverStarted() : null;
        Map<Long, List<Proc>> children = new HashMap<>();
        for (Proc p : procs.values()) {
            if (p.pid != rootPid && p != unstarted) {
                children.computeIfAbsent(p.parent, k -> new ArrayList<>()).add(p);
            }
        }
        Proc root = procs.getOrDefault(rootPid, new Proc(rootPid));
        CellReport.Process tree = node(root, "init", children, new HashSet<>());
        return new CellReport(List.copyOf(workload), reported, initStatus, tree,
                unstarted == null ? null : node(unstarted, unstarted.comm, Map.of(), new HashSet<>()), List.copyOf(connects),
                List.copyOf(rawSockets), List.copyOf(files), List.copyOf(denials), List.copyOf(tampered),
                List.copyOf(refusedChannels), agentDropped, hostDropped, silenced, events);
    }

    /**
     * {@code p} and its descendants; a pid that is already on the path from the root (events that
     * make a process its own ancestor) is not followed again.
     */
    private static CellReport.Process node(Proc p, String comm, Map<Long, List<Proc>> children, Set<Long> path) {
        path.add(p.pid);
        List<CellReport.Process> kids = new ArrayList<>();
        for (Proc c : children.getOrDefault(p.pid, List.of())) {
            if (!path.contains(c.pid)) {
                kids.add(node(c, c.comm, children, path));
            }
        }
        path.remove(p.pid);
        return new CellReport.Process(p.pid, comm, p.path, p.startNs, p.endNs, p.status, List.copyOf(kids));
    }

    /**
     * The child init forked for the workload, when init reported that it could not be executed:
     * init's first child, if it never exec'd and ended (a child a workload makes init's with
     * {@code CLONE_PARENT} comes later, and a workload that ran is never taken for one that did not).
     */
    private Proc neverStarted() {
        for (Proc p : procs.values()) {
            if (p.parent == rootPid && p.pid != rootPid) {
                return !p.execed && p.status != null ? p : null;
            }
        }
        return null;
    }

    private Proc proc(long pid) {
        return procs.computeIfAbsent(pid, Proc::new);
    }
}
