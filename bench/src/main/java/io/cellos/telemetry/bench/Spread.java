package io.cellos.telemetry.bench;

import java.util.List;

/**
 * The spread of one figure over its repeats: least, median and greatest value, and how many.
 *
 * @param min    the least value
 * @param median the median (the mean of the two middle values for an even count)
 * @param max    the greatest value
 * @param count  values, at least 1
 */
record Spread(double min, double median, double max, int count) {
    Spread {
        if (count < 1 || !(min <= median && median <= max)) {
            throw new IllegalArgumentException("a spread needs min <= median <= max over at least one value, got "
                    + min + ", " + median + ", " + max + " over " + count);
        }
    }

    /**
     * @throws IllegalArgumentException if {@code values} is empty or holds a value that is not a finite number
     */
    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a spread of no values");
        }
        if (values.stream().anyMatch(v -> v == null || !Double.isFinite(v))) {
            throw new IllegalArgumentException("a spread of values that are not all finite numbers: " + values);
        }
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        return new Spread(s.get(0), median, s.get(n - 1), n);
    }

    /** One value, measured once. */
    static Spread of(double value) {
        return of(List.of(value));
    }
}
