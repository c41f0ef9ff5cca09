package io.cellos.telemetry.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary as a person reads it after the workload's output, from the workload's line on: the
 * process tree (children of one parent that run the same program {@value CellReport#GROUP_AT} times
 * or more on one line, with how they ended), then each list with its count and at most
 * {@value CellReport#MAX_LIST} distinct lines.
 */
final class SummaryText {
    private SummaryText() {
    }

    static void render(PrintStream out, CellReport r) {
        CellReport.Process unstarted = r.unstarted();
        out.println("workload: " + String.join(" ", r.workload()) + " -> " + r.status()
                + (unstarted != null ? " (" + r.whyUnstarted() + ": it never started)" : ""));
        out.println("processes (pids as the host sees them; named by comm, the executable in parentheses):");
        out.println("  init, pid " + r.root().pid() + ending(r.root()));
        if (unstarted != null) {
            out.println("  └─ " + unstarted.name() + ", pid " + unstarted.pid() + ", never started: " + r.whyUnstarted()
                    + " (its exec failed; the child init forked for it ended with " + unstarted.status() + ")");
        }
        tree(out, r.root().children(), "  ");
        for (CellReport.Section section : r.sections()) {
            list(out, section.title(), section.items());
        }
        out.println("channels refused: " + (r.refusedChannels().isEmpty() ? "none"
                : r.refusedChannels().size() + " (" + String.join("; ", r.refusedChannels()) + ")"));
        out.println("drops: " + r.agentDropped() + " events dropped in the guest, " + r.hostDropped()
                + " frames refused by the host"
                + (r.silenced() > 0 ? "; the agent went silent (" + r.silenced() + " agent_silenced)" : ""));
        out.println("events: " + r.events());
    }

    private static void tree(PrintStream out, List<CellReport.Process> children, String indent) {
        for (CellReport.Group g : CellReport.groups(children)) {
            if (g.collapsed()) {
                out.println(indent + "└─ " + g.name() + " ×" + g.members().size() + " " + g.endings());
                continue;
            }
            for (CellReport.Process c : g.members()) {
                out.println(indent + "└─ " + c.name() + ", pid " + c.pid() + ending(c));
                tree(out, c.children(), indent + "   ");
            }
        }
    }

    private static String ending(CellReport.Process p) {
        String s = p.status() == null ? ", still running or end unseen" : ", " + p.status();
        if (p.millis() >= 0) {
            s += String.format(Locale.ROOT, ", %.1f ms", p.millis());
        }
        return s;
    }

    private static void list(PrintStream out, String title, List<String> items) {
        Map<String, Integer> counted = CellReport.counted(items);
        out.println(title + ": " + (items.isEmpty() ? "none" : items.size()));
        int shown = 0;
        for (Map.Entry<String, Integer> e : counted.entrySet()) {
            if (shown++ == CellReport.MAX_LIST) {
                out.println("  ... " + (counted.size() - CellReport.MAX_LIST) + " more in the event log");
                break;
            }
            out.println("  " + e.getKey() + (e.getValue() > 1 ? " (×" + e.getValue() + ")" : ""));
        }
    }
}
