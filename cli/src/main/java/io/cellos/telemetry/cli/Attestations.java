package io.cellos.telemetry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.host.attest.Dsse;
import io.cellos.telemetry.host.attest.RuntimeTrace;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.host.sign.SigningEnvironment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What {@code events attest} and {@code cell run --attest} share: the signed envelope of one
 * cell's runtime trace ({@link RuntimeTrace}, {@link Dsse}), the key it needs, and the digests of
 * files as they are now.
 */
final class Attestations {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Attestations() {
    }

    /** An envelope, and the statement it signs. */
    record Made(String envelope, ObjectNode statement) {
        /** {@code N processes, M connections, K file events; subjects: ...}, for people. */
        String describe() {
            JsonNode log = statement.path("predicate").path("monitorLog");
            return log.path("process").size() + " processes, " + log.path("network").size() + " connections, "
                    + log.path("fileAccess").size() + " file events; subjects: "
                    + String.join(", ", RuntimeTrace.describeSubjects(statement));
        }
    }

    /**
     * The signed runtime trace of cell {@code cell}'s events.
     *
     * @throws IllegalArgumentException if the cell has no event, or there is no subject
     */
    static Made make(List<JsonNode> events, String cell, List<RuntimeTrace.Subject> subjects, String invocation,
                     EventSigner signer) {
        ObjectNode statement = RuntimeTrace.statement(events, cell, subjects, invocation, path -> sha256(Path.of(path)));
        try {
            return new Made(Dsse.envelope(Dsse.IN_TOTO, JSON.writeValueAsBytes(statement), signer), statement);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree Jackson built could not be written", e);
        }
    }

    /**
     * {@code signer} if it can sign an attestation: an Ed25519 key, which others can verify.
     *
     * @throws UsageException saying what to set
     */
    static EventSigner signer(EventSigner signer) throws UsageException {
        if (signer == null) {
            throw new UsageException("no signing key: set " + SigningEnvironment.ALG + "=ed25519, " + SigningEnvironment.KID
                    + " and " + SigningEnvironment.ED25519_KEY + " (cellos events keygen makes a pair)");
        }
        if (signer.algorithm() != SignAlgorithm.ED25519) {
            throw new UsageException("an attestation is signed with an Ed25519 key, which others can verify; "
                    + SigningEnvironment.ALG + " is " + signer.algorithm().id());
        }
        return signer;
    }

    /** The SHA-256 of {@code file}'s content, lowercase hex; null when it is not a regular file or cannot be read. */
    static String sha256(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
