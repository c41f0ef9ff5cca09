package io.cellos.telemetry.host.sign;

/**
 * A JSON value that {@link CanonicalJson} refuses to put in canonical form, with where it is
 * (an RFC 6901 JSON Pointer) and why.
 *
 * <p>Verifiers meet these on hostile input, so no stack trace is captured.
 */
public final class CanonicalJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String pointer;
    private final String problem;

    CanonicalJsonException(String problem) {
        this("", problem);
    }

    private CanonicalJsonException(String pointer, String problem) {
        super("at " + (pointer.isEmpty() ? "the top level" : pointer) + ": " + problem, null, false, false);
        this.pointer = pointer;
        this.problem = problem;
    }

    /**
     * The same refusal, seen from the container that holds the offending value under
     * {@code token} (a member name or an array index). The pointer is built on the way out of
     * the recursion so that the successful path keeps no path bookkeeping.
     */
    CanonicalJsonException within(String token) {
        return new CanonicalJsonException("/" + token.replace("~", "~0").replace("/", "~1") + pointer, problem);
    }

    /** The JSON Pointer (RFC 6901) of the offending value; empty for the top-level value. */
    public String pointer() {
        return pointer;
    }

    /** What is wrong with the value and what to do about it, without the pointer. */
    public String problem() {
        return problem;
    }
}
