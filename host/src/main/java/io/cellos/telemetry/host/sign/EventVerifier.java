package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.security.SignatureException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks events signed by {@link EventSigner}, one at a time or as a stream of JSON lines.
 *
 * <p>An event verifies when it is one JSON object with distinct member names; {@code sig},
 * {@code sigalg} and {@code sigkid} are strings; {@code sigalg} is this verifier's algorithm;
 * {@code sigkid} is the expected key id, if one was set; {@code sig} is unpadded base64url of a
 * signature of the right length; and the signature matches the RFC 8785 canonical form of the
 * event without {@code sig}. Member order and whitespace do not matter. A stream can also be
 * checked for the cells' hash chains ({@link #verifyStream}).
 *
 * <p>Immutable and thread-safe. Failures are returned as values, never thrown; only the reader's
 * own I/O errors propagate.
 */
public final class EventVerifier {
    private final SignAlgorithm algorithm;
    private final MessageVerifier verifier;
    private final String expectedKid; // null: any key id is accepted

    private EventVerifier(SignAlgorithm algorithm, MessageVerifier verifier, String expectedKid) {
        this.algorithm = algorithm;
        this.verifier = verifier;
        this.expectedKid = expectedKid;
    }

    /**
     * A verifier for {@code algorithm} under the key in {@code key}: base64url (padding optional)
     * of the HMAC secret (at least 32 bytes), or of the Ed25519 <em>public</em> key as its raw 32
     * bytes or X.509 SubjectPublicKeyInfo DER. It accepts any {@code sigkid}; see
     * {@link #expectingKid}.
     *
     * @throws KeyFormatException if the key text is unusable; the message says why
     */
    public static EventVerifier create(SignAlgorithm algorithm, String key) throws KeyFormatException {
        Objects.requireNonNull(algorithm, "algorithm");
        return new EventVerifier(algorithm, KeyText.verifier(algorithm, key), null);
    }

    /** The algorithm this verifier checks. */
    public SignAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * Whether {@code signature} is this key's over {@code message} itself, for formats that define
     * their own signed bytes (a DSSE envelope's pre-authentication encoding); a signature of the
     * wrong length is false.
     */
    public boolean verifyBytes(byte[] message, byte[] signature) {
        try {
            return verifier.verify(message, signature);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    /** This verifier, but failing events whose {@code sigkid} is not {@code kid}. */
    public EventVerifier expectingKid(String kid) {
        return new EventVerifier(algorithm, verifier, Objects.requireNonNull(kid, "kid"));
    }

    /** Checks one event in JSON format; empty when it verifies. */
    public Optional<VerificationFailure> verify(String eventJson) {
        return Optional.ofNullable(check(eventJson).failure());
    }

    /**
     * What checking one event found: the failure, or the event without {@code sig} and the bytes
     * its signature covers.
     */
    private record Checked(VerificationFailure failure, ObjectNode event, byte[] signedBytes) {
        static Checked failed(VerificationError error, String detail) {
            return new Checked(new VerificationFailure(error, detail), null, null);
        }
    }

    private Checked check(String eventJson) {
        JsonNode parsed;
        try {
            parsed = StrictJson.parse(eventJson);
        } catch (JsonProcessingException e) {
            return Checked.failed(VerificationError.NOT_JSON, StrictJson.describe(e));
        }
        if (!(parsed instanceof ObjectNode event)) {
            return Checked.failed(VerificationError.NOT_JSON, "a JSON " + parsed.getNodeType() + ", not an object");
        }
        Optional<VerificationFailure> attributes = checkAttributes(event);
        if (attributes.isPresent()) {
            return new Checked(attributes.get(), null, null);
        }
        String sigText = event.remove(SignatureAttributes.SIG).textValue();
        byte[] signature;
        try {
            signature = Base64Url.decode(sigText);
        } catch (IllegalArgumentException e) {
            return Checked.failed(VerificationError.BAD_SIGNATURE, "sig is " + e.getMessage());
        }
        if (signature.length != algorithm.signatureBytes()) {
            return Checked.failed(VerificationError.BAD_SIGNATURE, "sig is " + signature.length + " bytes; "
                    + algorithm.id() + " signatures are " + algorithm.signatureBytes());
        }
        // The decoder ignores padding and the spare low bits of the last character; requiring the
        // one encoding the signer writes keeps every character of the line significant.
        if (!Base64Url.encode(signature).equals(sigText)) {
            return Checked.failed(VerificationError.BAD_SIGNATURE, "sig is not in canonical form (unpadded base64url, "
                    + "spare bits zero)");
        }
        byte[] canonical;
        try {
            canonical = CanonicalJson.canonicalUtf8(event);
        } catch (CanonicalJsonException e) {
            return Checked.failed(VerificationError.NOT_CANONICALIZABLE, e.getMessage());
        }
        try {
            return verifier.verify(canonical, signature)
                    ? new Checked(null, event, canonical)
                    : Checked.failed(VerificationError.BAD_SIGNATURE, "the signature does not match the event: the event "
                    + "was changed after signing, or signed with another key");
        } catch (SignatureException e) {
            return Checked.failed(VerificationError.BAD_SIGNATURE, "sig is malformed (" + e.getMessage() + ")");
        }
    }

    /** The signature attributes are there, as strings, and name this verifier's algorithm and key. */
    private Optional<VerificationFailure> checkAttributes(ObjectNode event) {
        for (String attribute : SignatureAttributes.ALL) {
            if (!event.path(attribute).isTextual()) {
                return failure(VerificationError.MISSING_SIG, "no string '" + attribute + "' attribute");
            }
        }
        String sigalg = event.get(SignatureAttributes.SIGALG).textValue();
        Optional<SignAlgorithm> signedWith = SignAlgorithm.fromId(sigalg);
        if (signedWith.isEmpty()) {
            return failure(VerificationError.UNKNOWN_SIGALG, "sigalg '" + sigalg + "' is not "
                    + SignAlgorithm.HMAC_SHA256.id() + " or " + SignAlgorithm.ED25519.id());
        }
        if (signedWith.get() != algorithm) {
            return failure(VerificationError.ALG_MISMATCH, "signed with " + sigalg + ", but the key given is for "
                    + algorithm.id());
        }
        String sigkid = event.get(SignatureAttributes.SIGKID).textValue();
        if (expectedKid != null && !expectedKid.equals(sigkid)) {
            return failure(VerificationError.KID_MISMATCH, "signed with key id '" + sigkid + "', expected '"
                    + expectedKid + "'");
        }
        return Optional.empty();
    }

    /**
     * Checks every non-blank line of {@code in} as one event, stopping at the first that fails;
     * with {@code chains}, follows each cell's hash chain as well ({@link ChainCheck}). Reads but
     * does not close {@code in}.
     *
     * @param chains whether to check the chains too; without, an extract of a stream (one type of
     *               event, say) verifies event by event
     * @throws IOException if reading fails
     */
    public StreamVerification verifyStream(Reader in, boolean chains) throws IOException {
        BufferedReader lines = in instanceof BufferedReader buffered ? buffered : new BufferedReader(in);
        ChainCheck chain = new ChainCheck();
        long lineNumber = 0;
        long verified = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            Checked checked = check(line);
            if (checked.failure() != null) {
                return new StreamVerification.Failed(verified, lineNumber, checked.failure());
            }
            verified++;
            if (chains) {
                Optional<ChainBreak> broken = chain.add(checked.event(), checked.signedBytes(), lineNumber);
                if (broken.isPresent()) {
                    return new StreamVerification.Broken(verified, broken.get());
                }
            }
        }
        return chains ? chain.finish(verified) : new StreamVerification.Verified(verified, List.of());
    }

    private static Optional<VerificationFailure> failure(VerificationError error, String detail) {
        return Optional.of(new VerificationFailure(error, detail));
    }
}
