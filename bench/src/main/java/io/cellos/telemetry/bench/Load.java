package io.cellos.telemetry.bench;

import java.util.Locale;

/**
 * How busy the machine was while a figure ran, besides the figure itself.
 *
 * @param loadBefore    the 1-minute load average ({@code /proc/loadavg}) as the figure began
 * @param loadAfter     the same as it ended
 * @param seconds       the figure's wall time
 * @param othersPercent CPU that processes outside the benchmark used meanwhile, in % of one core
 *                      (see {@link LoadMeter}: a lower bound, since processes that both began and
 *                      ended in between are not seen)
 * @param stealPercent  time the hypervisor gave the machine's CPUs to others ({@code steal} in
 *                      {@code /proc/stat}), in % of all CPUs' time
 */
record Load(double loadBefore, double loadAfter, double seconds, double othersPercent, double stealPercent) {
    /** Others' CPU, in % of one core, above which a figure is flagged unreliable. */
    static final double BUSY_OTHERS_PERCENT = 10;
    /** Steal, in % of the CPUs' time, above which a figure is flagged unreliable. */
    static final double BUSY_STEAL_PERCENT = 2;

    /** Whether the rest of the machine used enough CPU to make the figure unreliable. */
    boolean busy() {
        return othersPercent > BUSY_OTHERS_PERCENT || stealPercent > BUSY_STEAL_PERCENT;
    }

    /** For the table: load average before → after, others' CPU, steal, and the flag. */
    String describe() {
        return String.format(Locale.ROOT, "%.2f → %.2f; others %.0f %%%s%s", loadBefore, loadAfter, othersPercent,
                stealPercent >= 0.05 ? String.format(Locale.ROOT, ", steal %.1f %%", stealPercent) : "",
                busy() ? "; **busy: unreliable**" : "");
    }
}
