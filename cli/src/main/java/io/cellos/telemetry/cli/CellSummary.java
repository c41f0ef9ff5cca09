package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.EventProjector;
import io.cellos.telemetry.wire.WaitStatus;
import io.cloudevents.CloudEvent;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a person wants to know about a cell at a glance, gathered from its CloudEvents as they are
 * emitted: the process tree (program, pid, status, lifetime), connections attempted, files touched
 * and by whom, denials, and drops.
 *
 * <p>Thread-safe: the receiver's threads call {@link #accept}; another thread renders.
 */
final class CellSummary {
    /** Children of one parent running the same program, past which they are shown as one line. */
    private static final int GROUP_AT = 4;
    private static final int MAX_LIST = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One process, as the events describe it. */
    private static final class Proc {
        final long pid;
        long parent = -1;
        String comm = "?";
        String path;
        long startNs = -1;
        long endNs = -1;
        WaitStatus status;

        Proc(long pid) {
            this.pid = pid;
        }

        String program() {
            return path != null ? path.substring(path.lastIndexOf('/') + 1) : comm;
        }
    }

    private volatile long rootPid = -1;
    private final Map<Long, Proc> procs = new LinkedHashMap<>();
    private final List<String> connects = new ArrayList<>();
    private final List<String> files = new ArrayList<>();
    private final List<String> denials = new ArrayList<>();
    private final CountDownLatch rootExited = new CountDownLatch(1);
    private long agentDropped;
    private long hostDropped;
    private int silenced;
    private int events;

    /** Names the tree's root, init, by its pid as the agent reports pids; before any event arrives. */
    void root(long pid) {
        rootPid = pid;
    }

    /** Takes one event. */
    void accept(CloudEvent event) {
        String type = event.getType().substring(EventProjector.TYPE_PREFIX.length());
        JsonNode d;
        try {
            d = event.getData() == null ? JSON.createObjectNode() : JSON.readTree(event.getData().toBytes());
        } catch (IOException e) {
            return; // the receiver wrote this data itself; it is JSON
        }
        long pid = d.path("guest_pid").asLong(-1);
        String comm = d.path("guest_comm").asText("?");
        long ns = d.path("guest_monotonic_ns").asLong(-1);
        synchronized (this) {
            events++;
            switch (type) {
                case "process.spawned" -> {
                    Proc p = proc(pid);
                    p.parent = d.path("parent_pid").asLong(-1);
                    p.comm = comm;
                    p.startNs = ns;
                }
                case "process.exec" -> {
                    Proc p = proc(pid);
                    p.comm = comm;
                    if (d.hasNonNull("path")) {
                        p.path = d.get("path").asText();
                    }
                }
                case "process.exited" -> {
                    Proc p = proc(pid);
                    p.endNs = ns;
                    if (d.hasNonNull("exit_code")) {
                        p.status = new WaitStatus((int) d.get("exit_code").asLong());
                    }
                    if (pid == rootPid) {
                        rootExited.countDown();
                    }
                }
                case "net.connect_attempted" -> connects.add(comm + " (pid " + pid + ") -> " + d.path("peer").asText("?"));
                case "fs.inotify_fired" -> files.add(d.path("path").asText("?") + " by " + comm + " (pid " + pid + ")");
                case "capability.denied" -> denials.add(comm + " (pid " + pid + ") refused "
                        + (d.has("syscall") ? SyscallNames.describe(d.get("syscall").asLong())
                        : "capability " + d.path("capability").asText("?")));
                case "telemetry.dropped" -> {
                    if (d.path("origin").asText("").equals("host")) {
                        hostDropped = Math.max(hostDropped, d.path("host_dropped_total").asLong(0));
                        agentDropped = Math.max(agentDropped, d.path("agent_dropped_total").asLong(0));
                    } else {
                        agentDropped = Math.max(agentDropped, d.path("dropped_total").asLong(0));
                    }
                }
                case "agent_silenced" -> silenced++;
                default -> {
                }
            }
        }
    }

    /** Waits up to {@code millis} for the root's {@code process.exited}; whether it came. */
    boolean awaitRootExit(long millis) throws InterruptedException {
        return rootExited.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The number of agent_silenced events. */
    synchronized int silenced() {
        return silenced;
    }

    /** Writes the summary. */
    synchronized void render(PrintStream out) {
        out.println("processes (pids as the host sees them):");
        Map<Long, List<Proc>> children = new TreeMap<>();
        for (Proc p : procs.values()) {
            if (p.pid != rootPid) {
                children.computeIfAbsent(p.parent, k -> new ArrayList<>()).add(p);
            }
        }
        Proc root = procs.getOrDefault(rootPid, new Proc(rootPid));
        out.println("  init, pid " + rootPid + ending(root));
        tree(out, children, rootPid, "  ");
        list(out, "connections attempted", connects);
        list(out, "declared files touched", files);
        list(out, "denied", denials);
        out.println("drops: " + agentDropped + " events dropped in the guest, " + hostDropped + " frames refused by the host"
                + (silenced > 0 ? "; the agent went silent (" + silenced + " agent_silenced)" : ""));
        out.println("events: " + events);
    }

    private void tree(PrintStream out, Map<Long, List<Proc>> children, long parent, String indent) {
        Map<String, List<Proc>> byProgram = new LinkedHashMap<>();
        for (Proc c : children.getOrDefault(parent, List.of())) {
            byProgram.computeIfAbsent(c.program(), k -> new ArrayList<>()).add(c);
        }
        for (Map.Entry<String, List<Proc>> g : byProgram.entrySet()) {
            if (g.getValue().size() >= GROUP_AT) {
                Map<String, Integer> endings = new TreeMap<>();
                for (Proc c : g.getValue()) {
                    endings.merge(c.status == null ? "running or unknown" : c.status.toString(), 1, Integer::sum);
                }
                out.println(indent + "└─ " + g.getKey() + " ×" + g.getValue().size() + " " + endings);
                continue;
            }
            for (Proc c : g.getValue()) {
                out.println(indent + "└─ " + c.program() + (c.path != null ? " (" + c.path + ")" : "") + ", pid " + c.pid
                        + ending(c));
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
