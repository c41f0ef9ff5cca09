package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.linux.SyscallTable;
import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.event.EventFacts;
import io.cellos.telemetry.wire.ExitCode;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.WaitStatus;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a person wants to know about a cell at a glance, gathered from its events as they are
 * emitted: the workload's status, the process tree (name, executable, pid, status, lifetime),
 * connections attempted, raw and packet sockets opened, files touched and by whom, denials, connections to the cell's channels the
 * host refused to believe, and drops. Each event is taken by what it says ({@link EventFacts}), with
 * a switch over the kinds of event and the guest's probe sources; its JSON is never read back.
 *
 * <p>A process is named everywhere by its comm, as the events carry it: the name the kernel keeps
 * for each process, set from the file name it executes and changeable by the process itself. The
 * tree adds the executable in parentheses, as audit reports it (symbolic links resolved), so that
 * {@code sh (/usr/bin/dash)} in the tree is {@code sh} in the lists.
 *
 * <p>Thread-safe: the receiver's threads call {@link #accept}; another thread renders.
 */
final class CellSummary {
    /** Children of one parent running the same program, past which they are shown as one line. */
    private static final int GROUP_AT = 4;
    private static final int MAX_LIST = 30;
    /** Init's statuses for a workload it could not start (as {@code InitRun} reports them). */

    /** One process, as the events describe it. */
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

        /** The comm, and the executable when an exec named one. */
        String name() {
            return path != null ? comm + " (" + path + ")" : comm;
        }
    }

    private volatile long rootPid = -1;
    private final Map<Long, Proc> procs = new LinkedHashMap<>();
    private final List<String> connects = new ArrayList<>();
    private final List<String> rawSockets = new ArrayList<>();
    private final List<String> files = new ArrayList<>();
    private final List<String> denials = new ArrayList<>();
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
        synchronized (this) {
            events++;
            switch (event.facts()) {
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
            case NET_CONNECT_ATTEMPTED -> connects.add(comm + " (pid " + pid + ") -> " + orUnknown(x.peer()));
            case NET_RAW_SOCKET_OPENED -> rawSockets.add(comm + " (pid " + pid + ") opened " + orUnknown(x.socket()));
            case FS_INOTIFY_FIRED -> files.add(orUnknown(x.path()) + " by " + comm + " (pid " + pid + ")");
            case CAPABILITY_DENIED -> denials.add(comm + " (pid " + pid + ") refused "
                    + (x.syscall() != null ? SyscallTable.describe(x.syscall()) : "capability " + orUnknown(x.capability())));
            case AGENT_TAMPERED -> tampered.add(orUnknown(x.what()));
            case TELEMETRY_DROPPED -> agentDropped = Math.max(agentDropped, x.droppedTotal() != null ? x.droppedTotal() : 0);
            case AGENT_HEARTBEAT -> {
            }
        }
    }

    private static String orUnknown(Object value) {
        return value != null ? value.toString() : "?";
    }

    /** Waits up to {@code millis} for the root's {@code process.exited}; whether it came. */
    boolean awaitRootExit(long millis) throws InterruptedException {
        return rootExited.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The number of agent_silenced events. */
    synchronized int silenced() {
        return silenced;
    }

    /**
     * Writes the summary, from the workload's line on.
     *
     * @param workload   the workload's argv
     * @param reported   the workload's status as init reported it on the exit channel, if it did
     * @param initStatus init's own exit status, said when nothing was reported
     */
    synchronized void render(PrintStream out, List<String> workload, Optional<WaitStatus> reported, int initStatus) {
        Proc unstarted = reported.filter(r -> r.shellStatus() == ExitCode.NOT_FOUND || r.shellStatus() == ExitCode.NOT_EXECUTABLE)
                .map(r -> neverStarted()).orElse(null);
        String why = reported.map(r -> r.shellStatus() == ExitCode.NOT_FOUND ? "not found"
                : r.shellStatus() == ExitCode.NOT_EXECUTABLE ? "not executable" : "its exec failed").orElse("its exec failed");
        out.println("workload: " + String.join(" ", workload) + " -> "
                + reported.map(WaitStatus::toString).orElse("status " + initStatus + " (no report on the exit channel)")
                + (unstarted != null ? " (" + why + ": it never started)" : ""));
        out.println("processes (pids as the host sees them; named by comm, the executable in parentheses):");
        Map<Long, List<Proc>> children = new TreeMap<>();
        for (Proc p : procs.values()) {
            if (p.pid != rootPid) {
                children.computeIfAbsent(p.parent, k -> new ArrayList<>()).add(p);
            }
        }
        Proc root = procs.getOrDefault(rootPid, new Proc(rootPid));
        out.println("  init, pid " + rootPid + ending(root));
        if (unstarted != null) {
            children.get(rootPid).remove(unstarted);
            out.println("  └─ " + unstarted.name() + ", pid " + unstarted.pid + ", never started: " + why
                    + " (its exec failed; the child init forked for it ended with " + unstarted.status + ")");
        }
        tree(out, children, rootPid, "  ");
        list(out, "connections attempted", connects);
        list(out, "raw and packet sockets opened", rawSockets);
        list(out, "declared files touched", files);
        list(out, "denied", denials);
        list(out, "tampering with the agent's observation (declared, and put back where it could be)", tampered);
        out.println("channels refused: " + (refusedChannels.isEmpty() ? "none"
                : refusedChannels.size() + " (" + String.join("; ", refusedChannels) + ")"));
        out.println("drops: " + agentDropped + " events dropped in the guest, " + hostDropped + " frames refused by the host"
                + (silenced > 0 ? "; the agent went silent (" + silenced + " agent_silenced)" : ""));
        out.println("events: " + events);
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

    private void tree(PrintStream out, Map<Long, List<Proc>> children, long parent, String indent) {
        Map<String, List<Proc>> byName = new LinkedHashMap<>();
        for (Proc c : children.getOrDefault(parent, List.of())) {
            byName.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c);
        }
        for (Map.Entry<String, List<Proc>> g : byName.entrySet()) {
            if (g.getValue().size() >= GROUP_AT) {
                Map<String, Integer> endings = new TreeMap<>();
                for (Proc c : g.getValue()) {
                    endings.merge(c.status == null ? "running or unknown" : c.status.toString(), 1, Integer::sum);
                }
                out.println(indent + "└─ " + g.getKey() + " ×" + g.getValue().size() + " " + endings);
                continue;
            }
            for (Proc c : g.getValue()) {
                out.println(indent + "└─ " + c.name() + ", pid " + c.pid + ending(c));
                tree(out, children, c.pid, indent + "   ");
            }
        }
    }

    private static String ending(Proc p) {
        String s = p.status == null ? ", still running or end unseen" : ", " + p.status;
        if (p.startNs >= 0 && p.endNs >= p.startNs) {
            s += String.format(Locale.ROOT, ", %.1f ms", (p.endNs - p.startNs) / 1e6);
        }
        return s;
    }

    /** The items, each distinct one once with how often it occurred. */
    private static void list(PrintStream out, String title, List<String> items) {
        Map<String, Integer> counted = new LinkedHashMap<>();
        items.forEach(i -> counted.merge(i, 1, Integer::sum));
        out.println(title + ": " + (items.isEmpty() ? "none" : items.size()));
        int shown = 0;
        for (Map.Entry<String, Integer> e : counted.entrySet()) {
            if (shown++ == MAX_LIST) {
                out.println("  ... " + (counted.size() - MAX_LIST) + " more in the event log");
                break;
            }
            out.println("  " + e.getKey() + (e.getValue() > 1 ? " (×" + e.getValue() + ")" : ""));
        }
    }

    private Proc proc(long pid) {
        return procs.computeIfAbsent(pid, Proc::new);
    }
}
