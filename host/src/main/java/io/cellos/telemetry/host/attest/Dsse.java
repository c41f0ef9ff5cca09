package io.cellos.telemetry.host.attest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.EventVerifier;
import io.cellos.telemetry.host.sign.SignAlgorithm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Dead Simple Signing Envelopes (DSSE v1.0): the envelope
 * {@code {"payloadType", "payload", "signatures": [{"keyid", "sig"}]}} with the payload and the
 * signature in standard base64, the signature taken over the pre-authentication encoding
 * {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body} ({@link #pae}), lengths as ASCII
 * decimal byte counts. Signed with the host's Ed25519 key only: an envelope is for others to
 * verify, and an HMAC key cannot be shared with them. Stateless.
 */
public final class Dsse {
    /** The payload type of an in-toto statement. */
    public static final String IN_TOTO = "application/vnd.in-toto+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Dsse() {
    }

    /** The bytes a DSSE signature is made over. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + type.length + payload.length);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /**
     * The envelope of {@code payload}, signed by {@code signer} under its key id, as JSON text.
     *
     * @throws IllegalArgumentException if the signer's algorithm is not Ed25519
     */
    public static String envelope(String payloadType, byte[] payload, EventSigner signer) {
        if (signer.algorithm() != SignAlgorithm.ED25519) {
            throw new IllegalArgumentException("a DSSE envelope is signed with an Ed25519 key, for others to verify; "
                    + "the signing key is " + signer.algorithm().id());
        }
        ObjectNode env = JSON.createObjectNode();
        env.put("payloadType", payloadType);
        env.put("payload", Base64.getEncoder().encodeToString(payload));
        ObjectNode sig = env.putArray("signatures").addObject();
        sig.put("keyid", signer.kid());
        sig.put("sig", Base64.getEncoder().encodeToString(signer.signBytes(pae(payloadType, payload))));
        return env.toString();
    }

    /** What an envelope carried, once one of its signatures verified. */
    public record Opened(String payloadType, byte[] payload, String keyid) {
    }

    /** Why an envelope did not verify. */
    public static final class EnvelopeException extends Exception {
        EnvelopeException(String message) {
            super(message);
        }
    }

    /** Whether {@code text} looks like an envelope: a JSON object with {@code payloadType} and {@code signatures}. */
    public static boolean isEnvelope(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            return n != null && n.isObject() && n.has("payloadType") && n.has("signatures");
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * Opens an envelope: parses it, and checks that at least one signature is {@code verifier}'s
     * key's over the payload's pre-authentication encoding.
     *
     * @throws EnvelopeException saying what is malformed, or that no signature verified
     */
    public static Opened open(String envelopeJson, EventVerifier verifier) throws EnvelopeException {
        JsonNode env;
        try {
            env = JSON.readTree(envelopeJson);
        } catch (JsonProcessingException e) {
            throw new EnvelopeException("not JSON: " + e.getOriginalMessage());
        }
        if (env == null || !env.isObject() || !env.path("payloadType").isTextual() || !env.path("payload").isTextual()
                || !env.path("signatures").isArray()) {
            throw new EnvelopeException("not a DSSE envelope: it needs payloadType and payload (strings) and signatures");
        }
        String type = env.get("payloadType").textValue();
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(env.get("payload").textValue());
        } catch (IllegalArgumentException e) {
            throw new EnvelopeException("payload is not base64: " + e.getMessage());
        }
        byte[] signed = pae(type, payload);
        int tried = 0;
        for (JsonNode s : env.get("signatures")) {
            tried++;
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(s.path("sig").asText(""));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (verifier.verifyBytes(signed, sig)) {
                return new Opened(type, payload, s.path("keyid").asText(null));
            }
        }
        throw new EnvelopeException(tried == 0 ? "the envelope has no signature"
                : "none of its " + tried + " signatures verifies under the given public key");
    }
}
