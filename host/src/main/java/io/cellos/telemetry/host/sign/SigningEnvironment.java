package io.cellos.telemetry.host.sign;

import java.util.Map;
import java.util.Optional;

/**
 * The outbound-signing configuration of protocol §7, read from environment variables.
 *
 * <table>
 * <caption>Variables</caption>
 * <tr><th>variable</th><th>meaning</th></tr>
 * <tr><td>{@value #ALG}</td><td>{@code off} (the default; also when unset or empty),
 *     {@code hmac-sha256} or {@code ed25519}</td></tr>
 * <tr><td>{@value #KID}</td><td>the key id written to {@code sigkid}; required unless off</td></tr>
 * <tr><td>{@value #HMAC_KEY}</td><td>for hmac-sha256: base64url (padding optional) of at least
 *     32 secret bytes</td></tr>
 * <tr><td>{@value #ED25519_KEY}</td><td>for ed25519: base64url (padding optional) of the raw
 *     32-byte private seed or of a PKCS#8 DER private key</td></tr>
 * </table>
 *
 * <p>Variables of the algorithm not chosen are ignored. Stateless and thread-safe.
 */
public final class SigningEnvironment {
    /** Selects the algorithm, or {@code off}. */
    public static final String ALG = "CELLOS_HOST_TELEMETRY_SIGN_ALG";
    /** The key id. */
    public static final String KID = "CELLOS_HOST_TELEMETRY_SIGN_KID";
    /** The HMAC secret key. */
    public static final String HMAC_KEY = "CELLOS_HOST_TELEMETRY_SIGN_HMAC_KEY";
    /** The Ed25519 private key. */
    public static final String ED25519_KEY = "CELLOS_HOST_TELEMETRY_SIGN_ED25519_KEY";

    private static final String OFF = "off";

    private SigningEnvironment() {
    }

    /**
     * The signer the environment asks for, or empty when signing is off.
     *
     * @param env the environment, e.g. {@link System#getenv()}
     * @throws SigningConfigException naming the variable at fault, what is wrong and what to set
     */
    public static Optional<EventSigner> signer(Map<String, String> env) throws SigningConfigException {
        String alg = env.getOrDefault(ALG, "");
        if (alg.isEmpty() || alg.equals(OFF)) {
            return Optional.empty();
        }
        SignAlgorithm algorithm = SignAlgorithm.fromId(alg).orElseThrow(() -> new SigningConfigException(ALG,
                "'" + alg + "' is not one of " + OFF + ", " + SignAlgorithm.HMAC_SHA256.id() + ", "
                        + SignAlgorithm.ED25519.id() + " (unset means " + OFF + ")"));
        String kid = env.getOrDefault(KID, "");
        if (kid.isBlank()) {
            throw new SigningConfigException(KID, "is unset or blank, but " + ALG + "=" + alg
                    + " needs a key id for verifiers to choose the key by; set it, e.g. to host-2025-01");
        }
        String keyVariable = switch (algorithm) {
            case HMAC_SHA256 -> HMAC_KEY;
            case ED25519 -> ED25519_KEY;
        };
        String key = env.getOrDefault(keyVariable, "");
        if (key.isBlank()) {
            throw new SigningConfigException(keyVariable, "is unset or blank, but " + ALG + "=" + alg
                    + " needs the key; " + (algorithm == SignAlgorithm.HMAC_SHA256
                    ? "set it to base64url of at least " + KeyText.MIN_HMAC_KEY_BYTES + " random bytes, e.g. from "
                            + KeyText.HMAC_KEY_RECIPE
                    : "set it to the private half printed by " + KeyText.KEYGEN_COMMAND));
        }
        try {
            return Optional.of(EventSigner.create(algorithm, kid, key));
        } catch (KeyFormatException e) {
            throw new SigningConfigException(keyVariable, e);
        }
    }
}
