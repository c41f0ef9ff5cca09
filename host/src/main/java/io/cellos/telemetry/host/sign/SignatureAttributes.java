package io.cellos.telemetry.host.sign;

import java.util.List;

/**
 * The CloudEvents extension attributes that carry a signature, at the top level of the event.
 * The signature is computed over the RFC 8785 canonical JSON (UTF-8) of the whole event with
 * {@link #SIGALG} and {@link #SIGKID} present and {@link #SIG} absent.
 */
public final class SignatureAttributes {
    /** The algorithm, a {@link SignAlgorithm#id()}. */
    public static final String SIGALG = "sigalg";
    /** The key id, so a verifier can pick the key (and keys can be rotated). */
    public static final String SIGKID = "sigkid";
    /** The signature, base64url without padding. */
    public static final String SIG = "sig";
    /** All three. */
    public static final List<String> ALL = List.of(SIG, SIGALG, SIGKID);

    private SignatureAttributes() {
    }
}
