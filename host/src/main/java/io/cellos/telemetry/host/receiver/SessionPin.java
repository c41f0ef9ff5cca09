package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.event.SessionCheck;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may speak for a cell's agent on its telemetry channel (protocol.md §1.3): the rule applied
 * to the first frame of every connection, and the session it pins.
 *
 * <p>The agent draws its session once per start and sends it first thing on every connection; it
 * connects before the workload starts, so the boot's first connection is the agent's and pins its
 * session. A later connection is the agent's only if it presents the same value. Without a session
 * a connection is refused, unless the receiver is in compatibility mode and nothing is pinned: then
 * the cell runs without session checks for the rest of its bind (a CellOS 0.5 agent), and a
 * session sent later pins nothing — pinning then would stamp a stranger's frames {@code pinned}
 * and lock the agent out.
 *
 * <p>Confined to the cell's I/O thread.
 */
final class SessionPin {
    /** The digits of a session: 32 lowercase hexadecimal ones. */
    static final int SESSION_DIGITS = 32;

    private final boolean acceptSessionless;
    private SessionCheck check = SessionCheck.NOT_PINNED_YET;
    private byte[] pinned;
    private long pinnedBy;

    /** @param acceptSessionless compatibility mode: whether a cell may run without session checks */
    SessionPin(boolean acceptSessionless) {
        this.acceptSessionless = acceptSessionless;
    }

    /** What this cell's events say in {@code session_check}. */
    SessionCheck check() {
        return check;
    }

    /**
     * Judges connection {@code connection} by the session on its first frame, pinning it if it is
     * the first to be accepted.
     *
     * @param session the first frame's {@code session}, or {@code null} if it has none
     * @return {@code null} if the connection speaks for the agent, else why not, in words
     */
    String refusal(String session, long connection) {
        if (check == SessionCheck.NONE_COMPATIBILITY_MODE) {
            return null;
        }
        if (session == null) {
            if (check == SessionCheck.PINNED) {
                return "no session on its first frame (connection " + pinnedBy + " pinned the agent's)";
            }
            if (acceptSessionless) {
                check = SessionCheck.NONE_COMPATIBILITY_MODE;
                return null;
            }
            return "no session on its first frame (a CellOS 0.5 agent sends none; this receiver takes one only in "
                    + "compatibility mode)";
        }
        if (!wellFormed(session)) {
            return "a malformed session on its first frame (not " + SESSION_DIGITS + " lowercase hex digits)";
        }
        byte[] presented = session.getBytes(StandardCharsets.US_ASCII);
        if (check == SessionCheck.NOT_PINNED_YET) {
            pinned = presented;
            pinnedBy = connection;
            check = SessionCheck.PINNED;
            return null;
        }
        // compared in constant time: how soon a refusal comes must not tell a guest how much it guessed right
        if (!MessageDigest.isEqual(pinned, presented)) {
            return "a session other than the one connection " + pinnedBy + " pinned";
        }
        return null;
    }

    private static boolean wellFormed(String session) {
        if (session.length() != SESSION_DIGITS) {
            return false;
        }
        for (int i = 0; i < SESSION_DIGITS; i++) {
            char c = session.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
