package io.cellos.telemetry.host.sign;

import java.io.Serial;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Ed25519 keys in the forms this project exchanges them: the raw 32-byte private seed and raw
 * 32-byte public key of RFC 8032, or the DER encodings the JDK and OpenSSL use (PKCS#8 for private,
 * X.509 SubjectPublicKeyInfo for public keys). Stateless and thread-safe.
 */
public final class Ed25519Keys {
    /** The length of a raw Ed25519 private seed and of a raw public key. */
    public static final int KEY_BYTES = 32;

    // RFC 8410 encodings of an Ed25519 key with the 32 raw bytes appended.
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private Ed25519Keys() {
    }

    /**
     * A freshly generated key pair, both halves as base64url (no padding) of the raw 32 bytes: the
     * private seed for {@code CELLOS_HOST_TELEMETRY_SIGN_ED25519_KEY}, the public key for verifiers.
     * {@link #toString()} leaves the private half out, so logging the pair does not leak it.
     */
    public record KeyPairText(String privateKey, String publicKey) {
        @Override
        public String toString() {
            return "KeyPairText[privateKey=(redacted), publicKey=" + publicKey + "]";
        }
    }

    /** Generates a key pair from 32 bytes of {@code random}. */
    public static KeyPairText generate(SecureRandom random) {
        byte[] seed = new byte[KEY_BYTES];
        random.nextBytes(seed);
        return new KeyPairText(Base64Url.encode(seed), Base64Url.encode(publicKeyFromSeed(seed)));
    }

    /**
     * The private key for a raw 32-byte seed or a PKCS#8 DER Ed25519 key.
     *
     * @throws KeyFormatException if the bytes are neither
     */
    public static PrivateKey privateKey(byte[] seedOrPkcs8) throws KeyFormatException {
        byte[] der = seedOrPkcs8.length == KEY_BYTES ? withPrefix(PKCS8_PREFIX, seedOrPkcs8) : seedOrPkcs8;
        try {
            return JdkAlgorithms.ed25519KeyFactory().generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw new KeyFormatException("the Ed25519 private key is " + seedOrPkcs8.length + " bytes, neither a "
                    + KEY_BYTES + "-byte seed nor a PKCS#8 DER Ed25519 key (" + e.getMessage()
                    + "); make one with " + KeyText.KEYGEN_COMMAND, e);
        }
    }

    /**
     * The public key for raw 32 bytes or an X.509 SubjectPublicKeyInfo DER Ed25519 key.
     *
     * @throws KeyFormatException if the bytes are neither
     */
    public static PublicKey publicKey(byte[] rawOrSpki) throws KeyFormatException {
        byte[] der = rawOrSpki.length == KEY_BYTES ? withPrefix(X509_PREFIX, rawOrSpki) : rawOrSpki;
        try {
            return JdkAlgorithms.ed25519KeyFactory().generatePublic(new X509EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw new KeyFormatException("the Ed25519 public key is " + rawOrSpki.length + " bytes, neither the "
                    + KEY_BYTES + " raw bytes nor an X.509 SubjectPublicKeyInfo DER Ed25519 key (" + e.getMessage()
                    + "); use the public half printed by " + KeyText.KEYGEN_COMMAND, e);
        }
    }

    /**
     * The raw public key that belongs to a raw private seed.
     *
     * <p>The JDK has no API for this, so the JDK's own key-pair generator is handed a source of
     * randomness that yields exactly the seed (RFC 8032 §5.1.5 makes the key pair a function of
     * those 32 bytes alone), and the generated private key is checked to be the seed, so a
     * generator that drew its bytes differently is caught rather than trusted.
     *
     * @throws IllegalArgumentException if {@code seed} is not 32 bytes
     */
    public static byte[] publicKeyFromSeed(byte[] seed) {
        if (seed.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 seed is " + KEY_BYTES + " bytes, not " + seed.length);
        }
        KeyPairGenerator generator = JdkAlgorithms.ed25519KeyPairGenerator();
        try {
            generator.initialize(NamedParameterSpec.ED25519, new SeedSource(seed));
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("the JDK's Ed25519 generator refused its own parameter set", e);
        }
        KeyPair pair = generator.generateKeyPair();
        byte[] used = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
        if (!Arrays.equals(used, seed)) {
            throw new IllegalStateException("the JDK's Ed25519 generator did not take the seed as the private key; "
                    + "this JDK needs another way to derive public keys");
        }
        return rawPublicKey(pair.getPublic());
    }

    /**
     * The raw 32 bytes of an Ed25519 public key.
     *
     * @throws IllegalArgumentException if {@code key} is not an Ed25519 public key
     */
    public static byte[] rawPublicKey(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der == null || der.length != X509_PREFIX.length + KEY_BYTES
                || !Arrays.equals(der, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(der, X509_PREFIX.length, der.length);
    }

    private static byte[] withPrefix(byte[] prefix, byte[] raw) {
        byte[] der = Arrays.copyOf(prefix, prefix.length + raw.length);
        System.arraycopy(raw, 0, der, prefix.length, raw.length);
        return der;
    }

    /** Randomness that yields one given seed, once; asking for more is a failure, not a guess. */
    private static final class SeedSource extends SecureRandom {
        @Serial
        private static final long serialVersionUID = 1L;

        private final byte[] seed;
        private int used;

        SeedSource(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length > seed.length - used) {
                throw new IllegalStateException("the Ed25519 generator asked for more than the "
                        + seed.length + "-byte seed");
            }
            System.arraycopy(seed, used, bytes, 0, bytes.length);
            used += bytes.length;
        }
    }
}
