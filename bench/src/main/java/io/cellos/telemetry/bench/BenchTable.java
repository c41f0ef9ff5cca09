package io.cellos.telemetry.bench;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes one run of {@code cellos bench} as Markdown: when and how it ran, the machine, then one
 * table row per figure — figure, goal (met or not), measured min / median / max, the baselines of
 * the same run, the ratio to each, the load beside it, and the command — and the notes the rows
 * refer to.
 */
final class BenchTable {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private BenchTable() {
    }

    /**
     * @param invocation the command line the run was started with
     * @param quick      whether it was a {@code --quick} run, whose figures are labelled as such
     */
    static String render(Machine machine, List<Row> rows, String invocation, boolean quick, Instant started,
                         Instant ended) {
        StringBuilder b = new StringBuilder();
        b.append("### Figures of one run of `./cellos bench`\n\n");
        b.append("`").append(invocation).append("`, ").append(WHEN.format(started)).append(" to ")
                .append(WHEN.format(ended)).append(".\n\n");
        if (quick) {
            b.append("**A quick smoke run (`--quick`): fewer repeats, shorter phases and smaller loads than the full "
                    + "run. Its figures show that every harness works; they are not the project's figures and "
                    + "are not comparable with a full run's.**\n\n");
        }
        b.append(machine.describe()).append('\n');
        b.append(String.format(Locale.ROOT, "Measured: min / **median** / max over the repeats (n). A ratio divides"
                + " the median by the baseline's median of the same run. Load: the 1-minute load average before"
                + " → after the figure, and the CPU that processes outside the benchmark used meanwhile (%% of one"
                + " core, a lower bound); a figure is flagged **busy: unreliable** when that exceeded %.0f %% of a"
                + " core or the hypervisor's steal exceeded %.0f %%.%n%n", Load.BUSY_OTHERS_PERCENT,
                Load.BUSY_STEAL_PERCENT));
        b.append("| figure | goal | measured | baseline, same run | ratio | load | command |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        List<String> notes = new ArrayList<>();
        for (Row r : rows) {
            String figure = r.figure();
            if (!r.note().isEmpty()) {
                notes.add(r.note());
                figure += " (note " + notes.size() + ")";
            }
            b.append("| ").append(cell(figure)).append(" | ").append(cell(goal(r))).append(" | ")
                    .append(cell(measured(r, quick))).append(" | ").append(cell(baselines(r))).append(" | ")
                    .append(cell(ratios(r))).append(" | ").append(cell(r.load() == null ? "—" : r.load().describe()))
                    .append(" | `").append(r.command().replace("|", "\\|")).append("` |\n");
        }
        if (!notes.isEmpty()) {
            b.append('\n');
            for (int i = 0; i < notes.size(); i++) {
                b.append(i + 1).append(". ").append(notes.get(i)).append('\n');
            }
        }
        return b.toString();
    }

    /** {@code value} with three significant digits or more, thousands grouped. */
    static String number(double value) {
        double a = Math.abs(value);
        String f = a >= 1000 ? "%,.0f" : a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 || a == 0 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, f, value);
    }

    /** A spread as {@code min / **median** / max unit (n)}, or {@code value unit (1 run)}. */
    static String spread(Spread s, String unit) {
        String u = unit.isEmpty() ? "" : " " + unit;
        if (s.count() == 1) {
            return number(s.median()) + u + " (1 run)";
        }
        return number(s.min()) + " / **" + number(s.median()) + "** / " + number(s.max()) + u + " (" + s.count() + ")";
    }

    private static String measured(Row r, boolean quick) {
        if (r.measured() == null) {
            return "not measured";
        }
        return spread(r.measured(), r.unit()) + (quick ? ", quick" : "");
    }

    private static String goal(Row r) {
        if (r.goal().kind() == Goal.Kind.NONE || r.measured() == null) {
            return r.goal().text();
        }
        double value = r.measured().median();
        if (r.goal().onRatio()) {
            Baseline first = r.baselines().stream().filter(x -> x.value() != null).findFirst().orElse(null);
            if (first == null) {
                return r.goal().text() + ": no baseline";
            }
            value = r.ratioTo(first);
        }
        return r.goal().text() + (r.goal().met(value) ? ": met" : ": **not met**");
    }

    private static String baselines(Row r) {
        if (r.baselines().isEmpty()) {
            return "—";
        }
        List<String> parts = new ArrayList<>();
        for (Baseline x : r.baselines()) {
            parts.add(x.name() + ": " + (x.value() == null ? "not measured (" + x.whyNot() + ")" : spread(x.value(), r.unit())));
        }
        return String.join("<br>", parts);
    }

    private static String ratios(Row r) {
        List<String> parts = new ArrayList<>();
        for (Baseline x : r.baselines()) {
            double q = r.ratioTo(x);
            if (!Double.isNaN(q)) {
                parts.add(String.format(Locale.ROOT, q >= 100 ? "%.0f× %s" : "%.2f× %s", q, x.name()));
            }
        }
        return parts.isEmpty() ? "—" : String.join("<br>", parts);
    }

    /** Text for one table cell: no line breaks, no bare pipes. */
    private static String cell(String text) {
        return text.replace("\n", " ").replace("|", "\\|");
    }
}
