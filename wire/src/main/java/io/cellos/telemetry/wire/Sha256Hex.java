package io.cellos.telemetry.wire;

/**
 * The form of a {@code sha256} value (protocol.md §4): exactly {@value #LENGTH} lowercase hex
 * digits, {@code [0-9a-f]}. Checks allocate nothing.
 */
final class Sha256Hex {
    /** Hex digits of a SHA-256 digest. */
    static final int LENGTH = 64;

    private Sha256Hex() {
    }

    static boolean isWellFormed(CharSequence s) {
        if (s.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The index of the first of the {@code len} bytes at {@code off} that is not a lowercase hex
     * digit, {@code -1} if there is none. The length is checked apart.
     */
    static int firstNonDigit(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (!isDigit(b[off + i])) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
    }
}
