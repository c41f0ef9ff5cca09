package io.cellos.telemetry.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary as GitHub-flavoured Markdown, for a CI page (a job's step summary): a table of the
 * run, the process tree as a table (children of one parent that run the same program
 * {@value CellReport#GROUP_AT} times or more on one row, as in the text), and a table per list with
 * at most {@value CellReport#MAX_LIST} distinct rows. Text from the guest is escaped so that it
 * cannot add structure to the page.
 */
final class SummaryMarkdown {
    private SummaryMarkdown() {
    }

    static void write(PrintStream out, CellReport r, RunFacts f) {
        out.println("### cellos cell `" + code(f.cellId()) + "`, run `" + code(f.runId()) + "`");
        out.println();
        out.println("| | |");
        out.println("|---|---|");
        row(out, "workload", "`" + code(String.join(" ", r.workload())) + "`");
        row(out, "status", text(r.status()) + (r.unstarted() != null ? " (" + text(r.whyUnstarted())
                + ": it never started)" : ""));
        row(out, "duration", String.format(Locale.ROOT, "%.1f s", f.duration().toMillis() / 1e3));
        row(out, "agent", text(f.agent()));
        row(out, "drops", r.agentDropped() + " events dropped in the guest, " + r.hostDropped()
                + " frames refused by the host" + (r.silenced() > 0 ? ", the agent went silent " + r.silenced()
                + " times" : ""));
        row(out, "events", r.events() + " (" + text(f.eventLog()) + ")");
        out.println();
        out.println("#### Processes");
        out.println();
        out.println("| process | pid | ended | lifetime |");
        out.println("|---|---:|---|---:|");
        out.println("| init | " + r.root().pid() + " | " + ended(r.root()) + " | " + lifetime(r.root()) + " |");
        if (r.unstarted() != null) {
            out.println("| └─ " + text(r.unstarted().name()) + " | " + r.unstarted().pid() + " | never started: "
                    + text(r.whyUnstarted()) + " | |");
        }
        tree(out, r.root().children(), "");
        for (CellReport.Section section : r.sections()) {
            list(out, section.title(), section.items());
        }
        list(out, "channels refused", r.refusedChannels());
    }

    private static void tree(PrintStream out, List<CellReport.Process> children, String indent) {
        for (CellReport.Group g : CellReport.groups(children)) {
            if (g.collapsed()) {
                out.println("| " + indent + "└─ " + text(g.name()) + " ×" + g.members().size() + " | | "
                        + text(g.endings().toString()) + " | |");
                continue;
            }
            for (CellReport.Process c : g.members()) {
                out.println("| " + indent + "└─ " + text(c.name()) + " | " + c.pid() + " | " + ended(c) + " | "
                        + lifetime(c) + " |");
                tree(out, c.children(), indent + "&nbsp;&nbsp;&nbsp;");
            }
        }
    }

    private static String ended(CellReport.Process p) {
        return p.status() == null ? "running or unseen" : text(p.status().toString());
    }

    private static String lifetime(CellReport.Process p) {
        return p.millis() >= 0 ? String.format(Locale.ROOT, "%.1f ms", p.millis()) : "";
    }

    private static void list(PrintStream out, String title, List<String> items) {
        out.println();
        out.println("#### " + Character.toUpperCase(title.charAt(0)) + title.substring(1) + ": " + (items.isEmpty() ? "none" : items.size()));
        if (items.isEmpty()) {
            return;
        }
        Map<String, Integer> counted = CellReport.counted(items);
        out.println();
        out.println("| | times |");
        out.println("|---|---:|");
        int shown = 0;
        for (Map.Entry<String, Integer> e : counted.entrySet()) {
            if (shown++ == CellReport.MAX_LIST) {
                out.println("| … " + (counted.size() - CellReport.MAX_LIST) + " more in the event log | |");
                break;
            }
            out.println("| " + text(e.getKey()) + " | " + e.getValue() + " |");
        }
    }

    private static void row(PrintStream out, String name, String value) {
        out.println("| " + name + " | " + value + " |");
    }

    /**
     * {@code s} as table-cell text: Markdown's and HTML's special characters escaped with a
     * backslash or as entities, line breaks as spaces.
     */
    static String text(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\n', '\r' -> b.append(' ');
                case '|', '\\', '`', '*', '_', '[', ']', '#', '!', '~' -> b.append('\\').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** {@code s} inside a code span: a backtick would end it, a bar the cell; both replaced, line breaks too. */
    static String code(String s) {
        return s.replace('`', '\'').replace("|", "\\|").replace('\n', ' ').replace('\r', ' ');
    }
}
