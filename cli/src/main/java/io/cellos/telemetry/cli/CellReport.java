package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.linux.SyscallTable;
import io.cellos.telemetry.wire.ExitCode;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.WaitStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a cell did, as its events told it, at the end of the run: the one snapshot the summary's
 * text, JSON and Markdown forms are written from ({@link CellSummary#report}). Immutable.
 *
 * @param workload        the workload's argv
 * @param reported        the workload's status as init reported it on the exit channel, if it did
 * @param initStatus      init's own exit status; -1 when it is not known (an event log without init's end)
 * @param root            init, the root of the process tree, its descendants as the events named them
 * @param unstarted       the child init forked for a workload it could not execute, taken out of
 *                        the tree; null when the workload started
 * @param connections     {@code net.connect_attempted} events, in arrival order
 * @param rawSockets      {@code net.raw_socket_opened} events
 * @param files           {@code fs.inotify_fired} events
 * @param denials         {@code capability.denied} events
 * @param tampered        what each {@code agent.tampered} said
 * @param refusedChannels each connection to the cell's channels the host refused, in words
 * @param agentDropped    events the agent dropped in the guest (its last {@code dropped_total})
 * @param hostDropped     frames the host refused
 * @param silenced        {@code agent_silenced} events
 * @param events          events of every kind
 */
record CellReport(List<String> workload, Optional<WaitStatus> reported, int initStatus, Process root,
                  Process unstarted, List<ProbeEvent> connections, List<ProbeEvent> rawSockets, List<ProbeEvent> files,
                  List<ProbeEvent> denials, List<String> tampered, List<String> refusedChannels, long agentDropped,
                  long hostDropped, int silenced, int events) {
    /**
     * One process.
     *
     * @param pid      its pid as the agent reports pids (the host's view)
     * @param comm     the name it last had (its comm), {@code ?} when no event named it
     * @param path     the executable its last exec named, or null
     * @param startNs  when it was spawned, the guest's {@code CLOCK_MONOTONIC}; -1 unseen
     * @param endNs    when it ended; -1 unseen
     * @param status   how it ended, or null (running, or its end unseen)
     * @param children its children, in the order they appeared
     */
    record Process(long pid, String comm, String path, long startNs, long endNs, WaitStatus status,
                   List<Process> children) {
        /** The comm, and the executable when an exec named one. */
        String name() {
            return path != null ? comm + " (" + path + ")" : comm;
        }

        /** Its lifetime in milliseconds, or -1 when its start or end was not seen. */
        double millis() {
            return startNs >= 0 && endNs >= startNs ? (endNs - startNs) / 1e6 : -1;
        }
    }

    /** Children of one parent running the same program, from which on they are shown as one group. */
    static final int GROUP_AT = 4;
    /** The most distinct items a list shows; the rest are counted. */
    static final int MAX_LIST = 30;

    /**
     * Children of one parent with one {@linkplain Process#name name}, in the order the first of them
     * appeared.
     */
    record Group(String name, List<Process> members) {
        /** Whether they are many enough to be shown as one line. */
        boolean collapsed() {
            return members.size() >= GROUP_AT;
        }

        /** How they ended, in words, with how many ended so; sorted. */
        Map<String, Integer> endings() {
            Map<String, Integer> endings = new TreeMap<>();
            for (Process c : members) {
                endings.merge(c.status() == null ? "running or unknown" : c.status().toString(), 1, Integer::sum);
            }
            return endings;
        }
    }

    /** {@code children} grouped by name. */
    static List<Group> groups(List<Process> children) {
        Map<String, List<Process>> byName = new LinkedHashMap<>();
        for (Process c : children) {
            byName.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c);
        }
        return byName.entrySet().stream().map(g -> new Group(g.getKey(), List.copyOf(g.getValue()))).toList();
    }

    /** The items, each distinct one once with how often it occurred, in the order they first came. */
    static Map<String, Integer> counted(List<String> items) {
        Map<String, Integer> counted = new LinkedHashMap<>();
        items.forEach(i -> counted.merge(i, 1, Integer::sum));
        return counted;
    }

    /** A list of the summary, each entry in words, as every form shows it. */
    record Section(String title, List<String> items) {
    }

    /** The lists every form of the summary shows, in its order. */
    List<Section> sections() {
        return List.of(new Section("connections attempted", connections.stream().map(CellReport::connection).toList()),
                new Section("raw and packet sockets opened", rawSockets.stream().map(CellReport::rawSocket).toList()),
                new Section("declared files touched", files.stream().map(CellReport::file).toList()),
                new Section("denied", denials.stream().map(CellReport::denial).toList()),
                new Section("tampering with the agent's observation (declared, and put back where it could be)",
                        tampered));
    }

    /** Why the workload never started: {@code not found}, {@code not executable}, or {@code its exec failed}. */
    String whyUnstarted() {
        return reported.map(r -> r.shellStatus() == ExitCode.NOT_FOUND ? "not found"
                : r.shellStatus() == ExitCode.NOT_EXECUTABLE ? "not executable" : "its exec failed").orElse("its exec failed");
    }

    /** The workload's status in words: init's report, or init's own status when it made none (-1: unknown). */
    String status() {
        return reported.map(WaitStatus::toString).orElse(initStatus >= 0 ? "status " + initStatus
                + " (no report on the exit channel)" : "unknown (no report on the exit channel, init's end unseen)");
    }

    /** {@code comm (pid N)}: how the lists name the process of an event. */
    private static String who(ProbeEvent e) {
        return e.guestComm() + " (pid " + e.guestPid() + ")";
    }

    /** A connect in words: {@code sh (pid 5) -> 10.0.0.1:80}. */
    private static String connection(ProbeEvent e) {
        return who(e) + " -> " + orUnknown(e.extensions().peer());
    }

    /** A raw socket in words: {@code ping (pid 5) opened inet raw 1}. */
    private static String rawSocket(ProbeEvent e) {
        return who(e) + " opened " + orUnknown(e.extensions().socket());
    }

    /** A file event in words: {@code /etc/passwd by sh (pid 5)}. */
    private static String file(ProbeEvent e) {
        return orUnknown(e.extensions().path()) + " by " + who(e);
    }

    /** A denial in words: {@code sh (pid 5) refused sethostname (170)}, or the capability when no call is known. */
    private static String denial(ProbeEvent e) {
        Extensions x = e.extensions();
        return who(e) + " refused " + (x.syscall() != null ? SyscallTable.describe(x.syscall())
                : "capability " + orUnknown(x.capability()));
    }

    static String orUnknown(Object value) {
        return value != null ? value.toString() : "?";
    }
}
