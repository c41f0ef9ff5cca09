package io.cellos.telemetry.host.sign;

import java.util.Optional;

/** A signature algorithm for events, under the name that appears in {@code sigalg}. */
public enum SignAlgorithm {
    /** HMAC with SHA-256 (RFC 2104) under a shared secret key of at least 32 bytes. */
    HMAC_SHA256("hmac-sha256", 32),
    /** Ed25519 (RFC 8032): the host holds the private key, verifiers the public key. */
    ED25519("ed25519", 64);

    private final String id;
    private final int signatureBytes;

    SignAlgorithm(String id, int signatureBytes) {
        this.id = id;
        this.signatureBytes = signatureBytes;
    }

    /** The name in {@code sigalg} and in {@code CELLOS_HOST_TELEMETRY_SIGN_ALG}. */
    public String id() {
        return id;
    }

    /** The length of every signature this algorithm makes. */
    public int signatureBytes() {
        return signatureBytes;
    }

    /** The algorithm named {@code id} (exact, case-sensitive), if there is one. */
    public static Optional<SignAlgorithm> fromId(String id) {
        for (SignAlgorithm a : values()) {
            if (a.id.equals(id)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
