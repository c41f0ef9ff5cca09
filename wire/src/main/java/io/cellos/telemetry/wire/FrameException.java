package io.cellos.telemetry.wire;

/**
 * A frame that was refused, with the cause a person can act on: the {@link FrameError kind},
 * the field where there is one, and the byte offset (from the start of the body, or of the
 * frame for prefix errors) where there is one.
 *
 * <p>Hostile input makes many of these, so no stack trace is captured.
 */
public final class FrameException extends Exception {
    private static final long serialVersionUID = 1L;

    private final FrameError error;
    private final String field;
    private final long offset;

    /**
     * @param error  the cause
     * @param field  the wire name of the field concerned, or {@code null}
     * @param offset the byte offset concerned, or {@code -1}
     * @param detail a sentence for a person, without the field and offset (they are added)
     */
    public FrameException(FrameError error, String field, long offset, String detail) {
        super(format(error, field, offset, detail), null, false, false);
        this.error = error;
        this.field = field;
        this.offset = offset;
    }

    private static String format(FrameError error, String field, long offset, String detail) {
        StringBuilder sb = new StringBuilder(error.code());
        if (field != null) {
            sb.append(" field=").append(field);
        }
        if (offset >= 0) {
            sb.append(" offset=").append(offset);
        }
        return sb.append(": ").append(detail).toString();
    }

    /** The cause. */
    public FrameError error() {
        return error;
    }

    /** The wire name of the field concerned, or {@code null} when the cause concerns no field. */
    public String field() {
        return field;
    }

    /** The byte offset concerned, or {@code -1}. */
    public long offset() {
        return offset;
    }
}
