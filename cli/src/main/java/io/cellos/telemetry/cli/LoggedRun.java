package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.EventFacts;
import io.cellos.telemetry.host.event.EventReader;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.WaitStatus;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One run of a cell as its event log tells it ({@code events report}): its events read back to
 * their facts ({@link EventReader}) and taken by a {@link CellSummary} as the receiver's would
 * be, so that the report is the one {@code cell run} makes of the same events, but for what the
 * log does not hold:
 * <ul>
 *   <li>init, the tree's root: the parent of the first process seen spawned whose own parent was
 *       not seen spawned (the agent starts after init, so init's spawn is in no log), or that
 *       process itself when its event names no parent;</li>
 *   <li>the workload: init's first child, its argv the command line its last exec gave
 *       ({@code cmdline}, eBPF), else the path, else its name, as one element;</li>
 *   <li>its status: init's report on the exit channel is not an event, so the status is init's own,
 *       from its {@code process.exited} ({@code -1} when that is not in the log);</li>
 *   <li>the cell's isolation and the agent's ready line, which the page says are not there;</li>
 *   <li>the run's start and end: the first and last event's {@code time}.</li>
 * </ul>
 * An event that cannot be read back (a line changed by hand, or of a newer receiver) is left out
 * and named in {@link #unread}.
 *
 * @param report what the run did
 * @param facts  the run's facts, as far as the log gives them
 * @param unread each event left out, with why
 */
record LoggedRun(CellReport report, RunFacts facts, List<String> unread) {
    static final String NOT_IN_LOG = "not in the event log";

    /**
     * The run of {@code events}, all of one cell and run.
     *
     * @param source the log's name, for the page
     * @throws IllegalArgumentException when no event could be read, or none has a time
     */
    static LoggedRun of(List<JsonNode> events, String cellId, String runId, String source) {
        List<EventFacts> facts = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        Instant first = null;
        Instant last = null;
        for (JsonNode e : events) {
            try {
                EventFacts read = EventReader.read(e).facts();
                Instant at = Instant.parse(e.path("time").asText(""));
                facts.add(read);
                first = first == null || at.isBefore(first) ? at : first;
                last = last == null || at.isAfter(last) ? at : last;
            } catch (IllegalArgumentException | DateTimeParseException notOurs) {
                unread.add("event " + e.path("id").asText("without an id") + ": " + notOurs.getMessage());
            }
        }
        if (facts.isEmpty() || first == null) {
            throw new IllegalArgumentException("no event of cell " + cellId + ", run " + runId + " in " + source
                    + " could be read" + (unread.isEmpty() ? "" : ": " + unread.getFirst()));
        }
        List<ProbeEvent> guest = facts.stream().<ProbeEvent>mapMulti((f, out) -> {
            if (f instanceof EventFacts.Guest g) {
                out.accept(g.probe());
            }
        }).toList();
        long root = root(guest);
        CellSummary summary = new CellSummary();
        summary.root(root);
        facts.forEach(summary::accept);
        CellReport report = summary.report(workload(guest, root), Optional.empty(), initStatus(guest, root));
        String agent = NOT_IN_LOG + (unread.isEmpty() ? "" : "; " + unread.size() + " of its events could not be read "
                + "and are left out of this page (the first: " + unread.getFirst() + ")");
        return new LoggedRun(report, new RunFacts(cellId, runId, NOT_IN_LOG + " ('cellos events report' read the events "
                + "back; the status is init's own, from its process.exited)", agent, source, first, last), List.copyOf(unread));
    }

    /**
     * Of the first process seen spawned whose parent was not seen spawned, the parent; or the
     * process itself, when its event names no parent. -1 when there is none.
     */
    private static long root(List<ProbeEvent> guest) {
        Set<Long> spawned = new HashSet<>();
        guest.stream().filter(e -> e.source() == ProbeSource.PROCESS_SPAWNED).forEach(e -> spawned.add(e.guestPid()));
        for (ProbeEvent e : guest) {
            Long parent = e.extensions().parentPid();
            if (e.source() == ProbeSource.PROCESS_SPAWNED && (parent == null || !spawned.contains(parent))) {
                return parent == null ? e.guestPid() : parent;
            }
        }
        return -1;
    }

    /** Init's first child's command line, path or name, as one element; empty when init had no child. */
    private static List<String> workload(List<ProbeEvent> guest, long root) {
        Optional<Long> child = guest.stream().filter(e -> e.source() == ProbeSource.PROCESS_SPAWNED
                && Long.valueOf(root).equals(e.extensions().parentPid())).map(ProbeEvent::guestPid).findFirst();
        if (child.isEmpty()) {
            return List.of();
        }
        String named = null;
        for (ProbeEvent e : guest) {
            if (e.guestPid() == child.get() && e.source() == ProbeSource.PROCESS_EXEC) {
                named = e.extensions().cmdline() != null ? e.extensions().cmdline()
                        : e.extensions().path() != null ? e.extensions().path() : e.guestComm();
            }
        }
        return List.of(named != null ? named : guest.stream().filter(e -> e.guestPid() == child.get()).findFirst()
                .map(ProbeEvent::guestComm).orElse("?"));
    }

    /** Init's exit status as a shell gives it, from its last {@code process.exited}; -1 when none says. */
    private static int initStatus(List<ProbeEvent> guest, long root) {
        int status = -1;
        for (ProbeEvent e : guest) {
            if (e.guestPid() == root && e.source() == ProbeSource.PROCESS_EXITED && e.extensions().exitCode() != null) {
                status = new WaitStatus((int) (long) e.extensions().exitCode()).shellStatus();
            }
        }
        return status;
    }
}
