package io.cellos.telemetry.guest.exec;

/**
 * The answer to one {@link ExecutableHasher#request}: the hash of the file a process executed, or
 * why there is none.
 *
 * @param token   the handle the requester gave
 * @param outcome how it was answered
 * @param sha256  lowercase hex SHA-256 of the file's content (protocol.md §4, {@code sha256}); null
 *                unless {@link HashOutcome#hashed()}
 * @param reason  why there is no hash, naming the call and errno or the limit; null when there is one
 * @param kind    what the file was
 * @param file    the kernel's name for the file ({@code /usr/bin/ls}, {@code /tmp/x (deleted)},
 *                {@code /memfd:name (deleted)}); null if it could not be opened or named, and for
 *                a file with a name answered from the cache by its status alone, which is not
 *                opened ({@link ExecutableHasher#request})
 */
public record ExecutableHash(long token, HashOutcome outcome, String sha256, String reason, ExecutableKind kind,
                             String file) {
    public ExecutableHash {
        if (outcome.hashed() != (sha256 != null) || (sha256 == null) == (reason == null)) {
            throw new IllegalArgumentException("a " + outcome + " answer with sha256 " + sha256 + " and reason " + reason);
        }
    }

    /** Whether it carries a hash. */
    public boolean hashed() {
        return sha256 != null;
    }
}
