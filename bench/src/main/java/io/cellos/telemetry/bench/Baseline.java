package io.cellos.telemetry.bench;

/**
 * What a figure is compared with, measured in the same run: the same figure for the reference
 * design (the {@code /proc} walk, {@code forkstat}, no agent, Jackson, …), or a note of why it
 * was not measured.
 *
 * @param name     what the baseline is, e.g. {@code none} or {@code forkstat}
 * @param value    its spread over the repeats, in the figure's unit; {@code null} if not measured
 * @param whyNot   why it was not measured; {@code null} if it was
 */
record Baseline(String name, Spread value, String whyNot) {
    Baseline {
        if ((value == null) == (whyNot == null)) {
            throw new IllegalArgumentException("a baseline is either measured or says why not: " + name);
        }
    }

    static Baseline measured(String name, Spread value) {
        return new Baseline(name, value, null);
    }

    static Baseline notMeasured(String name, String why) {
        return new Baseline(name, null, why);
    }
}
