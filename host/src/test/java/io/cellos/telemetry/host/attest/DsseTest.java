package io.cellos.telemetry.host.attest;

import io.cellos.telemetry.host.sign.Ed25519Keys;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.EventVerifier;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DsseTest {
    /** The DSSE specification's own example of the pre-authentication encoding. */
    @Test
    void thePreAuthenticationEncodingIsTheSpecifications() {
        assertArrayEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world".getBytes(StandardCharsets.UTF_8),
                Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anEnvelopeOpensUnderItsKeyOnlyAndNotOnceChanged() throws Exception {
        Ed25519Keys.KeyPairText keys = Ed25519Keys.generate(new SecureRandom());
        Ed25519Keys.KeyPairText other = Ed25519Keys.generate(new SecureRandom());
        EventSigner signer = EventSigner.create(SignAlgorithm.ED25519, "k1", keys.privateKey());
        byte[] payload = "{\"_type\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        String env = Dsse.envelope(Dsse.IN_TOTO, payload, signer);
        assertTrue(Dsse.isEnvelope(env));
        Dsse.Opened opened = Dsse.open(env, EventVerifier.create(SignAlgorithm.ED25519, keys.publicKey()));
        assertArrayEquals(payload, opened.payload());
        assertEquals("k1", opened.keyid());
        assertThrows(Dsse.EnvelopeException.class,
                () -> Dsse.open(env, EventVerifier.create(SignAlgorithm.ED25519, other.publicKey())));
        String retyped = env.replace(Dsse.IN_TOTO, "application/json");
        assertThrows(Dsse.EnvelopeException.class,
                () -> Dsse.open(retyped, EventVerifier.create(SignAlgorithm.ED25519, keys.publicKey())),
                "the payload type is signed too");
        assertThrows(IllegalArgumentException.class, () -> Dsse.envelope(Dsse.IN_TOTO, payload,
                EventSigner.create(SignAlgorithm.HMAC_SHA256, "h", "a".repeat(43))));
    }
}
