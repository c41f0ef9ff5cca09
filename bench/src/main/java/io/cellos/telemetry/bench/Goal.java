package io.cellos.telemetry.bench;

/**
 * A figure's goal, from the issues: a bound on the figure's median, or on its ratio to the first
 * baseline (the workload's tax), or none.
 *
 * @param text    the goal as the table shows it, e.g. {@code ≤ 20 ms}
 * @param bound   the limit; ignored for {@link Kind#NONE}
 * @param kind    which side of the limit meets the goal
 * @param onRatio whether the bound applies to the ratio to the first baseline rather than to the median
 */
record Goal(String text, double bound, Kind kind, boolean onRatio) {
    /** Which side of the bound meets the goal. */
    enum Kind { AT_MOST, AT_LEAST, NONE }

    /** No goal: the figure is reported for its own sake or as context. */
    static final Goal NONE = new Goal("—", 0, Kind.NONE, false);

    static Goal atMost(double bound, String text) {
        return new Goal(text, bound, Kind.AT_MOST, false);
    }

    static Goal atLeast(double bound, String text) {
        return new Goal(text, bound, Kind.AT_LEAST, false);
    }

    static Goal ratioAtMost(double bound, String text) {
        return new Goal(text, bound, Kind.AT_MOST, true);
    }

    /** Whether {@code value} (the median, or the ratio for a goal on the ratio) meets the goal; true without one. */
    boolean met(double value) {
        return switch (kind) {
            case AT_MOST -> value <= bound;
            case AT_LEAST -> value >= bound;
            case NONE -> true;
        };
    }
}
