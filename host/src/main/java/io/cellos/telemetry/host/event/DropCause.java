package io.cellos.telemetry.host.event;

import io.cellos.telemetry.wire.FrameError;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Why the host discarded guest input, as counted per cell and reported in host-made
 * {@code telemetry.dropped} events. Every {@link FrameError} is a cause, plus what the host
 * sees at the connection level.
 */
public enum DropCause {
    FRAME_TOO_LARGE(FrameError.FRAME_TOO_LARGE),
    ZERO_LENGTH(FrameError.ZERO_LENGTH),
    SHORT_HEADER(FrameError.SHORT_HEADER),
    TRUNCATED(FrameError.TRUNCATED),
    UNEXPECTED_END(FrameError.UNEXPECTED_END),
    UNSUPPORTED_MAJOR(FrameError.UNSUPPORTED_MAJOR),
    UNSUPPORTED_ADDITIONAL_INFO(FrameError.UNSUPPORTED_ADDITIONAL_INFO),
    NOT_A_MAP(FrameError.NOT_A_MAP),
    NESTED_MAP(FrameError.NESTED_MAP),
    TOO_MANY_ENTRIES(FrameError.TOO_MANY_ENTRIES),
    NON_TEXT_KEY(FrameError.NON_TEXT_KEY),
    CONTENT_VERSION_NOT_FIRST(FrameError.CONTENT_VERSION_NOT_FIRST),
    UNSUPPORTED_VERSION(FrameError.UNSUPPORTED_VERSION),
    MISSING_FIELD(FrameError.MISSING_FIELD),
    WRONG_FIELD_TYPE(FrameError.WRONG_FIELD_TYPE),
    INTEGER_OVERFLOW(FrameError.INTEGER_OVERFLOW),
    FIELD_TOO_LONG(FrameError.FIELD_TOO_LONG),
    MALFORMED_FIELD(FrameError.MALFORMED_FIELD),
    DUPLICATE_KEY(FrameError.DUPLICATE_KEY),
    INVALID_UTF8(FrameError.INVALID_UTF8),
    TRAILING_BYTES(FrameError.TRAILING_BYTES),
    UNKNOWN_PROBE_SOURCE(FrameError.UNKNOWN_PROBE_SOURCE),
    /** A connection ended in the middle of a frame; the partial frame is lost. */
    CLOSED_MID_FRAME(null),
    /** A connection beyond the per-cell limit was refused. */
    CONNECTION_LIMIT(null),
    /**
     * A connection the host does not believe (protocol.md §1.3) was refused and closed at once: on
     * the telemetry channel one whose first frame did not show it to be the agent's, on the
     * exit-code channel any but init's. Each is also declared by a {@code channel_refused} event.
     */
    CHANNEL_REFUSED(null);

    private static final DropCause[] BY_FRAME_ERROR = new DropCause[FrameError.values().length];

    static {
        for (DropCause c : values()) {
            if (c.frameError != null) {
                BY_FRAME_ERROR[c.frameError.ordinal()] = c;
            }
        }
    }

    private final FrameError frameError;

    DropCause(FrameError frameError) {
        this.frameError = frameError;
    }

    /** The stable {@code snake_case} name used in events and on stderr. */
    public String code() {
        return frameError != null ? frameError.code() : name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The counts in {@code byOrdinal} (indexed by {@link #ordinal()}) that are not zero, in cause
     * order; unmodifiable.
     */
    public static Map<DropCause, Long> counts(long[] byOrdinal) {
        Map<DropCause, Long> byCause = new EnumMap<>(DropCause.class);
        for (DropCause c : values()) {
            if (byOrdinal[c.ordinal()] != 0) {
                byCause.put(c, byOrdinal[c.ordinal()]);
            }
        }
        return Collections.unmodifiableMap(byCause);
    }

    /** The cause whose {@link #code()} is {@code code}, or {@code null} if none has it. */
    public static DropCause ofCode(String code) {
        for (DropCause c : values()) {
            if (c.code().equals(code)) {
                return c;
            }
        }
        return null;
    }

    /** The cause for a refused frame. */
    public static DropCause of(FrameError error) {
        return BY_FRAME_ERROR[error.ordinal()];
    }
}
