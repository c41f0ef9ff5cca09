package io.cellos.telemetry.host.sign;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static io.cellos.telemetry.host.sign.SigningEnvironment.ALG;
import static io.cellos.telemetry.host.sign.SigningEnvironment.ED25519_KEY;
import static io.cellos.telemetry.host.sign.SigningEnvironment.HMAC_KEY;
import static io.cellos.telemetry.host.sign.SigningEnvironment.KID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SigningEnvironmentTest {
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static SigningConfigException refused(Map<String, String> env, String variable) {
        SigningConfigException e = assertThrows(SigningConfigException.class, () -> SigningEnvironment.signer(env));
        assertEquals(variable, e.variable());
        assertTrue(e.getMessage().startsWith(variable + ": "), e.getMessage());
        return e;
    }

    @Test
    void isOffByDefaultAndWhenSaidSo() throws Exception {
        assertEquals(Optional.empty(), SigningEnvironment.signer(Map.of()));
        assertEquals(Optional.empty(), SigningEnvironment.signer(env(ALG, "")));
        assertEquals(Optional.empty(), SigningEnvironment.signer(env(ALG, "off", HMAC_KEY, "ignored")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"OFF", "HMAC-SHA256", "hmac", "rsa", "ed448", " ed25519"})
    void refusesAnUnknownAlgorithmListingTheAllowedOnes(String alg) {
        SigningConfigException e = refused(env(ALG, alg, KID, "k", HMAC_KEY, TestKeys.HMAC), ALG);
        assertTrue(e.getMessage().contains("off, hmac-sha256, ed25519"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hmac-sha256", "ed25519"})
    void requiresAKeyId(String alg) {
        refused(env(ALG, alg, HMAC_KEY, TestKeys.HMAC, ED25519_KEY, TestKeys.ED25519_PRIVATE), KID);
        refused(env(ALG, alg, KID, "  ", HMAC_KEY, TestKeys.HMAC, ED25519_KEY, TestKeys.ED25519_PRIVATE), KID);
    }

    @Test
    void requiresTheKeyOfTheChosenAlgorithm() {
        refused(env(ALG, "hmac-sha256", KID, "k", ED25519_KEY, TestKeys.ED25519_PRIVATE), HMAC_KEY);
        refused(env(ALG, "ed25519", KID, "k", HMAC_KEY, TestKeys.HMAC), ED25519_KEY);
    }

    @Test
    void buildsAnHmacSignerFromPaddedOrUnpaddedBase64url() throws Exception {
        byte[] key = new byte[40];
        key[0] = (byte) 0xfb; // encodes as "-_", where standard base64 has "+/"
        key[1] = (byte) 0xff;
        String padded = Base64.getUrlEncoder().encodeToString(key);
        assertTrue(padded.startsWith("-_") && padded.endsWith("=="), padded);
        for (String text : new String[]{padded, padded.replace("=", ""), padded + "\n"}) {
            EventSigner signer = SigningEnvironment.signer(env(ALG, "hmac-sha256", KID, "k1", HMAC_KEY, text))
                    .orElseThrow();
            assertEquals(SignAlgorithm.HMAC_SHA256, signer.algorithm());
            assertEquals("k1", signer.kid());
        }
    }

    @Test
    void refusesAShortHmacKeyWithoutEchoingIt() {
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString("sixteen byte key".getBytes());
        SigningConfigException e = refused(env(ALG, "hmac-sha256", KID, "k", HMAC_KEY, key), HMAC_KEY);
        assertTrue(e.getMessage().contains("16 bytes") && e.getMessage().contains("at least 32"), e.getMessage());
        assertFalse(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void refusesStandardBase64WithAHint() {
        SigningConfigException e = refused(env(ALG, "hmac-sha256", KID, "k", HMAC_KEY,
                "++++////++++////++++////++++////++++////++++"), HMAC_KEY);
        assertTrue(e.getMessage().contains("base64url uses '-' and '_'"), e.getMessage());
    }

    @Test
    void buildsAnEd25519SignerFromASeedOrPkcs8() throws Exception {
        byte[] pkcs8 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
        for (String key : new String[]{TestKeys.ED25519_PRIVATE, Base64.getUrlEncoder().encodeToString(pkcs8)}) {
            EventSigner signer = SigningEnvironment.signer(env(ALG, "ed25519", KID, "k2", ED25519_KEY, key)).orElseThrow();
            assertEquals(SignAlgorithm.ED25519, signer.algorithm());
        }
    }

    @Test
    void refusesAnEd25519KeyThatIsNeitherSeedNorPkcs8() throws Exception {
        byte[] ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPrivate().getEncoded();
        for (byte[] key : new byte[][]{new byte[31], new byte[64], ed448}) {
            SigningConfigException e = refused(env(ALG, "ed25519", KID, "k", ED25519_KEY,
                    Base64.getUrlEncoder().encodeToString(key)), ED25519_KEY);
            assertTrue(e.getMessage().contains(key.length + " bytes, neither a 32-byte seed nor a PKCS#8"), e.getMessage());
        }
    }
}
