package io.cellos.telemetry.host.sign;

import java.util.Base64;

/** Base64url (RFC 4648 §5) as this package writes it (no padding) and reads it (padding optional). */
final class Base64Url {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    // The JDK's URL decoder takes padding as optional, which is what the configuration contract says.
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Base64Url() {
    }

    static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Decodes {@code text}.
     *
     * @throws IllegalArgumentException if it is not base64url; the message says why, and names the
     *                                  usual mistakes (standard base64, PEM armour) without echoing
     *                                  the text, which may be a secret
     */
    static byte[] decode(String text) {
        try {
            return DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            String hint = text.startsWith("-----")
                    ? "; it looks like PEM: take the base64 between the armour lines, then replace '+' by '-' and '/' by '_'"
                    : text.indexOf('+') >= 0 || text.indexOf('/') >= 0
                    ? "; it contains '+' or '/', which is standard base64: base64url uses '-' and '_' instead"
                    : "";
            throw new IllegalArgumentException("not base64url (" + e.getMessage() + ")" + hint, e);
        }
    }
}
