package io.cellos.telemetry.host.sign;

/**
 * Why a signed event was not accepted. Each kind has a stable {@code snake_case} code for
 * scripts and counters.
 */
public enum VerificationError {
    /** The line is not exactly one JSON object with distinct member names. */
    NOT_JSON("not_json"),
    /** {@code sig}, {@code sigalg} or {@code sigkid} is absent or not a string. */
    MISSING_SIG("missing_sig"),
    /** {@code sigalg} names no algorithm this side knows. */
    UNKNOWN_SIGALG("unknown_sigalg"),
    /** {@code sigalg} names another algorithm than the verifier's key is for. */
    ALG_MISMATCH("alg_mismatch"),
    /** {@code sigkid} is not the key id the verifier was told to expect. */
    KID_MISMATCH("kid_mismatch"),
    /**
     * The signature does not match: the event was changed, signed with another key, or
     * {@code sig} is not a well-formed signature.
     */
    BAD_SIGNATURE("bad_signature"),
    /** The event holds a number or string without an exact canonical form ({@link CanonicalJson}). */
    NOT_CANONICALIZABLE("not_canonicalizable");

    private final String code;

    VerificationError(String code) {
        this.code = code;
    }

    /** The stable {@code snake_case} name of this cause. */
    public String code() {
        return code;
    }
}
