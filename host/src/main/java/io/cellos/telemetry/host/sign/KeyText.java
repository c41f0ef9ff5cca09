package io.cellos.telemetry.host.sign;

import java.security.InvalidKeyException;

/**
 * Turns key text (base64url, padding optional, surrounding whitespace ignored) into signing and
 * verifying engines. Messages never contain the key.
 */
final class KeyText {
    /** The shortest HMAC key accepted: as long as the SHA-256 output, as RFC 2104 §3 advises. */
    static final int MIN_HMAC_KEY_BYTES = 32;
    /** A shell command that makes a good HMAC key, for error messages. */
    static final String HMAC_KEY_RECIPE = "`head -c 32 /dev/urandom | basenc --base64url`";
    /** The command that makes Ed25519 keys, for error messages. */
    static final String KEYGEN_COMMAND = "`cellos events keygen`";

    private KeyText() {
    }

    /** A signer for the HMAC secret or Ed25519 private key (seed or PKCS#8) in {@code text}. */
    static MessageSigner signer(SignAlgorithm algorithm, String text) throws KeyFormatException {
        byte[] key = decode(algorithm, text);
        try {
            return switch (algorithm) {
                case HMAC_SHA256 -> MessageSigner.hmacSha256(checkHmacLength(key));
                case ED25519 -> MessageSigner.ed25519(Ed25519Keys.privateKey(key));
            };
        } catch (InvalidKeyException e) {
            throw refused(algorithm, e);
        }
    }

    /** A verifier for the HMAC secret or Ed25519 public key (raw or X.509 SPKI) in {@code text}. */
    static MessageVerifier verifier(SignAlgorithm algorithm, String text) throws KeyFormatException {
        byte[] key = decode(algorithm, text);
        try {
            return switch (algorithm) {
                case HMAC_SHA256 -> MessageVerifier.hmacSha256(checkHmacLength(key));
                case ED25519 -> MessageVerifier.ed25519(Ed25519Keys.publicKey(key));
            };
        } catch (InvalidKeyException e) {
            throw refused(algorithm, e);
        }
    }

    private static byte[] decode(SignAlgorithm algorithm, String text) throws KeyFormatException {
        try {
            return Base64Url.decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new KeyFormatException("the " + algorithm.id() + " key is " + e.getMessage(), e);
        }
    }

    private static byte[] checkHmacLength(byte[] key) throws KeyFormatException {
        if (key.length < MIN_HMAC_KEY_BYTES) {
            throw new KeyFormatException("the hmac-sha256 key is " + key.length + " bytes after base64url decoding; "
                    + "it needs at least " + MIN_HMAC_KEY_BYTES + " random bytes, e.g. from " + HMAC_KEY_RECIPE);
        }
        return key;
    }

    private static KeyFormatException refused(SignAlgorithm algorithm, InvalidKeyException e) {
        return new KeyFormatException("the JDK refused the " + algorithm.id() + " key (" + e.getMessage() + ")", e);
    }
}
