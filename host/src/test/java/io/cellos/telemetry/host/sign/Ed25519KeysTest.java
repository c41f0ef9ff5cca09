package io.cellos.telemetry.host.sign;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ed25519KeysTest {
    private static final HexFormat HEX = HexFormat.of();
    /** RFC 8032 §7.1 test 1: the signature of the empty message. */
    private static final String RFC8032_SIGNATURE_HEX = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
            + "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    @Test
    void derivesThePublicKeyOfTheRfc8032Vector() {
        byte[] publicKey = Ed25519Keys.publicKeyFromSeed(HEX.parseHex(TestKeys.RFC8032_SECRET_HEX));
        assertEquals(TestKeys.RFC8032_PUBLIC_HEX, HEX.formatHex(publicKey));
    }

    @Test
    void signsAndVerifiesTheRfc8032VectorWithRawKeys() throws Exception {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(Ed25519Keys.privateKey(HEX.parseHex(TestKeys.RFC8032_SECRET_HEX)));
        assertEquals(RFC8032_SIGNATURE_HEX, HEX.formatHex(signer.sign()));

        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(Ed25519Keys.publicKey(HEX.parseHex(TestKeys.RFC8032_PUBLIC_HEX)));
        assertTrue(verifier.verify(HEX.parseHex(RFC8032_SIGNATURE_HEX)));
    }

    @Test
    void acceptsTheJdksDerEncodingsAndRecoversTheRawPublicKey() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] raw = Ed25519Keys.rawPublicKey(pair.getPublic());
        assertEquals(Ed25519Keys.KEY_BYTES, raw.length);
        assertArrayEquals(raw, Ed25519Keys.rawPublicKey(Ed25519Keys.publicKey(pair.getPublic().getEncoded())));
        assertArrayEquals(raw, Ed25519Keys.rawPublicKey(Ed25519Keys.publicKey(raw)));

        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(Ed25519Keys.privateKey(pair.getPrivate().getEncoded()));
        signer.update(new byte[]{1, 2, 3});
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(pair.getPublic());
        verifier.update(new byte[]{1, 2, 3});
        assertTrue(verifier.verify(signer.sign()));
    }

    @Test
    void generatesAPairWhoseHalvesSignAndVerifyEvents() throws Exception {
        Ed25519Keys.KeyPairText pair = Ed25519Keys.generate(new SecureRandom());
        assertEquals(Ed25519Keys.KEY_BYTES, Base64.getUrlDecoder().decode(pair.privateKey()).length);
        assertEquals(Ed25519Keys.KEY_BYTES, Base64.getUrlDecoder().decode(pair.publicKey()).length);
        assertTrue(pair.privateKey().matches("[A-Za-z0-9_-]{43}"), pair.privateKey());
        assertFalse(pair.toString().contains(pair.privateKey()), pair.toString());

        String signed = EventSigner.create(SignAlgorithm.ED25519, "k", pair.privateKey()).sign(SampleEvents.line(1));
        assertEquals(new StreamVerification.Verified(1, List.of()), EventVerifier.create(SignAlgorithm.ED25519,
                pair.publicKey()).verifyStream(new StringReader(signed), false));
    }

    @Test
    void refusesWhatIsNotAKey() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Ed25519Keys.publicKeyFromSeed(new byte[31]));
        assertThrows(KeyFormatException.class, () -> Ed25519Keys.publicKey(new byte[33]));
        assertThrows(KeyFormatException.class, () -> Ed25519Keys.privateKey(new byte[48]));
        assertThrows(IllegalArgumentException.class, () -> Ed25519Keys.rawPublicKey(
                KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPublic()));
    }
}
