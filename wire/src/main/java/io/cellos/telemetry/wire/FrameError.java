package io.cellos.telemetry.wire;

/**
 * Why a frame was refused. Each kind has a stable {@code snake_case} code, used as the cause in
 * counters and in the host's {@code telemetry.dropped} events.
 */
public enum FrameError {
    /** The length prefix announces more than {@link Wire#MAX_BODY_BYTES}. Framing is lost. */
    FRAME_TOO_LARGE("frame_too_large"),
    /** The length prefix announces an empty body. Framing is lost. */
    ZERO_LENGTH("zero_length"),
    /** Fewer than four bytes where a length prefix should be. */
    SHORT_HEADER("short_header"),
    /** The prefix announces more body bytes than there are. */
    TRUNCATED("truncated"),
    /** A CBOR item runs past the end of the body. */
    UNEXPECTED_END("unexpected_end"),
    /** A CBOR major type the contract does not allow (float, tag, array, bytes, negative). */
    UNSUPPORTED_MAJOR("unsupported_major"),
    /** CBOR additional information 28–31 (reserved values or an indefinite length). */
    UNSUPPORTED_ADDITIONAL_INFO("unsupported_additional_info"),
    /** The body is not a CBOR map. */
    NOT_A_MAP("not_a_map"),
    /** A map nested inside the body's map. */
    NESTED_MAP("nested_map"),
    /**
     * The map holds more than {@link Wire#MAX_ENTRIES} entries (an encoder also gives it for an
     * event with more keys than that).
     */
    TOO_MANY_ENTRIES("too_many_entries"),
    /** A map key that is not a text string. */
    NON_TEXT_KEY("non_text_key"),
    /** The first key of the map is not {@code content_version}. */
    CONTENT_VERSION_NOT_FIRST("content_version_not_first"),
    /** A {@code content_version} whose major is not 1. */
    UNSUPPORTED_VERSION("unsupported_version"),
    /** A core key is absent. */
    MISSING_FIELD("missing_field"),
    /** A known key holds the wrong CBOR type. */
    WRONG_FIELD_TYPE("wrong_field_type"),
    /** An integer above its field's range. */
    INTEGER_OVERFLOW("integer_overflow"),
    /**
     * A text field longer than its field allows ({@code guest_comm} over 16 bytes, {@code cmdline}
     * over 1,024, {@code exe} over 4,096).
     */
    FIELD_TOO_LONG("field_too_long"),
    /** A text field not of the form its key requires ({@code sha256} not 64 lowercase hex digits). */
    MALFORMED_FIELD("malformed_field"),
    /** A key that appears twice. */
    DUPLICATE_KEY("duplicate_key"),
    /** Text that is not valid UTF-8. */
    INVALID_UTF8("invalid_utf8"),
    /** Bytes left in the body after the map. */
    TRAILING_BYTES("trailing_bytes"),
    /** A well-formed frame whose {@code probe_source} this side does not know. */
    UNKNOWN_PROBE_SOURCE("unknown_probe_source");

    private final String code;

    FrameError(String code) {
        this.code = code;
    }

    /** The stable {@code snake_case} name of this cause. */
    public String code() {
        return code;
    }

    /**
     * Whether a receiver must close the connection: the length prefix itself is unusable, so
     * the next frame boundary is unknown.
     */
    public boolean losesFraming() {
        return this == FRAME_TOO_LARGE || this == ZERO_LENGTH;
    }
}
