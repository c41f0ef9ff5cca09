package io.cellos.telemetry.bench;

import java.util.List;

/**
 * One line of the benchmark table: a figure, its goal, what was measured, its baselines of the
 * same run, the command that measures it alone, and the machine's load while it ran.
 *
 * @param figure    what is measured, e.g. {@code agent CPU per 1,000 events (bpf)}
 * @param unit      the unit of the measured values and baselines, e.g. {@code ms}
 * @param goal      the goal, or {@link Goal#NONE}
 * @param measured  the spread over the repeats; {@code null} if the figure could not be measured
 * @param baselines in order; the ratio is given to each one measured
 * @param command   a command that measures this figure (and its baselines) alone
 * @param note      what a reader must know besides (e.g. why it was not measured); empty if nothing
 * @param load      the machine's load while the figure ran; {@code null} until the runner sets it
 */
record Row(String figure, String unit, Goal goal, Spread measured, List<Baseline> baselines, String command,
           String note, Load load) {
    Row {
        baselines = List.copyOf(baselines);
    }

    /** A measured figure, its load not yet known. */
    static Row of(String figure, String unit, Goal goal, Spread measured, List<Baseline> baselines, String command,
                  String note) {
        return new Row(figure, unit, goal, measured, baselines, command, note, null);
    }

    /** A figure that could not be measured, and why. */
    static Row failed(String figure, String command, String why) {
        return new Row(figure, "", Goal.NONE, null, List.of(), command, why, null);
    }

    /** This row, with the load measured while its figure ran. */
    Row withLoad(Load l) {
        return new Row(figure, unit, goal, measured, baselines, command, note, l);
    }

    /** The measured median over the baseline's median, or NaN if either is missing or the baseline's is 0. */
    double ratioTo(Baseline b) {
        if (measured == null || b.value() == null || b.value().median() == 0) {
            return Double.NaN;
        }
        return measured.median() / b.value().median();
    }
}
