package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Objects;

/**
 * Signs CloudEvents in JSON format: adds {@link SignatureAttributes#SIGALG sigalg},
 * {@link SignatureAttributes#SIGKID sigkid} and {@link SignatureAttributes#SIG sig} at top level,
 * the signature covering the RFC 8785 canonical form of the event with the first two and without
 * the third; and, for an event of a cell's hash chain ({@link EventChain}), {@link ChainLinks#ATTRIBUTE
 * cellosprev} under the signature.
 *
 * <p>Immutable and thread-safe: any number of threads may call {@link #sign} at once (each thread
 * gets its own JCA engine). Build one from the environment with {@link SigningEnvironment}.
 */
public final class EventSigner {
    /** The attributes the signer adds, which an event given to it must not have. */
    private static final List<String> RESERVED = List.of(SignatureAttributes.SIG, SignatureAttributes.SIGALG,
            SignatureAttributes.SIGKID, ChainLinks.ATTRIBUTE);

    private final SignAlgorithm algorithm;
    private final String kid;
    private final MessageSigner signer;

    private EventSigner(SignAlgorithm algorithm, String kid, MessageSigner signer) {
        this.algorithm = algorithm;
        this.kid = kid;
        this.signer = signer;
    }

    /**
     * A signer for {@code algorithm} under the key in {@code key}: base64url (padding optional) of
     * an HMAC secret of at least 32 bytes, or of an Ed25519 private key as its raw 32-byte seed or
     * PKCS#8 DER.
     *
     * @param kid the key id written to {@code sigkid}; not blank
     * @throws KeyFormatException       if the key text is unusable; the message says why
     * @throws IllegalArgumentException if {@code kid} is blank
     */
    public static EventSigner create(SignAlgorithm algorithm, String kid, String key) throws KeyFormatException {
        Objects.requireNonNull(algorithm, "algorithm");
        if (kid.isBlank()) {
            throw new IllegalArgumentException("the key id must not be blank");
        }
        return new EventSigner(algorithm, kid, KeyText.signer(algorithm, key));
    }

    /** The algorithm written to {@code sigalg}. */
    public SignAlgorithm algorithm() {
        return algorithm;
    }

    /** The key id written to {@code sigkid}. */
    public String kid() {
        return kid;
    }

    /**
     * The signature of {@code message} itself, for formats that define their own signed bytes (a
     * DSSE envelope's pre-authentication encoding).
     */
    public byte[] signBytes(byte[] message) {
        return signer.sign(message);
    }

    /**
     * The signed form of one event that belongs to no chain.
     *
     * @see #sign(String, EventChain)
     */
    public String sign(String cloudEventJson) throws EventSigningException {
        return sign(cloudEventJson, null);
    }

    /**
     * The signed form of one event, linked into {@code chain}: it carries
     * {@link ChainLinks#ATTRIBUTE cellosprev}, the link to the event signed into the chain before
     * it, under the signature, and the chain moves on to it. An event that cannot be signed leaves
     * the chain as it was.
     *
     * @param cloudEventJson one CloudEvent in JSON format: a JSON object, without {@code sig},
     *                       {@code sigalg}, {@code sigkid} or {@code cellosprev}
     * @param chain          the event's cell's chain, or {@code null} for an event outside any
     * @return the event with the attributes added, as compact JSON on one line
     * @throws EventSigningException if the input is not a JSON object, repeats a member name,
     *                               already has one of these attributes, or holds a number or string
     *                               without an exact canonical form (see {@link CanonicalJson})
     */
    public String sign(String cloudEventJson, EventChain chain) throws EventSigningException {
        JsonNode parsed;
        try {
            parsed = StrictJson.parse(cloudEventJson);
        } catch (JsonProcessingException e) {
            throw new EventSigningException("the event is not valid JSON: " + StrictJson.describe(e), e);
        }
        if (!(parsed instanceof ObjectNode event)) {
            throw new EventSigningException("the event is a JSON " + parsed.getNodeType() + ", not an object");
        }
        for (String attribute : RESERVED) {
            if (event.has(attribute)) {
                throw new EventSigningException("the event already has a '" + attribute
                        + "' attribute; sign each event once, and do not reuse these attribute names");
            }
        }
        event.put(SignatureAttributes.SIGALG, algorithm.id());
        event.put(SignatureAttributes.SIGKID, kid);
        if (chain == null) {
            return finish(event, canonical(event));
        }
        synchronized (chain) {
            event.put(ChainLinks.ATTRIBUTE, chain.next());
            byte[] canonical = canonical(event);
            String signed = finish(event, canonical);
            chain.advance(canonical);
            return signed;
        }
    }

    private static byte[] canonical(ObjectNode event) throws EventSigningException {
        try {
            return CanonicalJson.canonicalUtf8(event);
        } catch (CanonicalJsonException e) {
            throw new EventSigningException("the event has no exact canonical form, " + e.getMessage(), e);
        }
    }

    /** Adds the signature over {@code canonical} and writes the event out. */
    private String finish(ObjectNode event, byte[] canonical) {
        event.put(SignatureAttributes.SIG, Base64Url.encode(signer.sign(canonical)));
        return StrictJson.write(event);
    }
}
