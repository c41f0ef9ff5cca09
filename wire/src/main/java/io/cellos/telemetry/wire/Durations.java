package io.cellos.telemetry.wire;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as a person writes them: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 7d}.
 * Shared by every command line and configuration string of the project.
 */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Durations() {
    }

    /** The longest duration accepted: what a {@code long} of nanoseconds holds (about 292 years). */
    public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

    /**
     * @return a duration of at most {@link #MAX}, so that every user may take it in nanoseconds
     * @throws IllegalArgumentException naming the accepted forms, or the longest duration
     */
    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 500ms, 10s, 2m, 1h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long; the longest duration is "
                    + MAX.toDays() + "d");
        }
        return d;
    }

    /** The shortest of those forms that states {@code d} exactly. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
