package io.cellos.telemetry.host.sign;

import java.util.Base64;
import java.util.HexFormat;

/** Fixed keys for tests, as the text the configuration and the verifier take. */
final class TestKeys {
    /** RFC 8032 §7.1 test 1. */
    static final String RFC8032_SECRET_HEX = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    static final String RFC8032_PUBLIC_HEX = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    static final String HMAC = b64url("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final String OTHER_HMAC = b64url("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
    static final String ED25519_PRIVATE = b64url(RFC8032_SECRET_HEX);
    static final String ED25519_PUBLIC = b64url(RFC8032_PUBLIC_HEX);
    /** RFC 8032 §7.1 test 2. */
    static final String OTHER_ED25519_PUBLIC = b64url("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");

    static final String KID = "host-2025-06";

    private TestKeys() {
    }

    static String b64url(String hex) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(HexFormat.of().parseHex(hex));
    }

    static String signingKey(SignAlgorithm algorithm) {
        return switch (algorithm) {
            case HMAC_SHA256 -> HMAC;
            case ED25519 -> ED25519_PRIVATE;
        };
    }

    static String verifyingKey(SignAlgorithm algorithm) {
        return switch (algorithm) {
            case HMAC_SHA256 -> HMAC;
            case ED25519 -> ED25519_PUBLIC;
        };
    }

    static String otherVerifyingKey(SignAlgorithm algorithm) {
        return switch (algorithm) {
            case HMAC_SHA256 -> OTHER_HMAC;
            case ED25519 -> OTHER_ED25519_PUBLIC;
        };
    }

    static EventSigner signer(SignAlgorithm algorithm) throws KeyFormatException {
        return EventSigner.create(algorithm, KID, signingKey(algorithm));
    }

    static EventVerifier verifier(SignAlgorithm algorithm) throws KeyFormatException {
        return EventVerifier.create(algorithm, verifyingKey(algorithm));
    }
}
