package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * How far a cell's telemetry can be told apart from the rest of its guest, as every event the
 * receiver makes for the cell says in {@code data.session_check} (protocol.md §1.3, §7.1).
 *
 * <p>A cell starts {@link #NOT_PINNED_YET}; its first accepted connection moves it, once and for
 * the rest of the bind, to {@link #PINNED} or {@link #NONE_COMPATIBILITY_MODE}.
 */
public enum SessionCheck {
    /**
     * The agent's session is pinned: every connection accepted for this cell presented it on its
     * first frame, and any other connection is refused.
     */
    PINNED("pinned"),
    /** No connection has been accepted yet, so nothing is pinned (only host-made events say this). */
    NOT_PINNED_YET("not pinned yet"),
    /**
     * The agent sent no session (a CellOS 0.5 agent) and the receiver, in compatibility mode, took
     * it without: any process in this guest can send frames that pass as the agent's.
     */
    NONE_COMPATIBILITY_MODE("none (CellOS 0.5 agent, compatibility mode)");

    private final String text;
    private final SerializableString json;

    SessionCheck(String text) {
        this.text = text;
        this.json = new SerializedString(text);
    }

    /** The value of {@code session_check}, exactly as events carry it. */
    public String text() {
        return text;
    }

    /** The check whose {@link #text()} is {@code text}, or {@code null} if none has it. */
    public static SessionCheck ofText(String text) {
        for (SessionCheck c : values()) {
            if (c.text.equals(text)) {
                return c;
            }
        }
        return null;
    }

    /** {@link #text()} pre-encoded, for the generator to copy. */
    SerializableString json() {
        return json;
    }
}
