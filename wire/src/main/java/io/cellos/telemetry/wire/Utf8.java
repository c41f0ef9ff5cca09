package io.cellos.telemetry.wire;

/** UTF-8 helpers that allocate nothing. */
final class Utf8 {
    private Utf8() {
    }

    static boolean equalsBytes(byte[] expected, byte[] src, int off, int len) {
        if (expected.length != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (expected[i] != src[off + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns {@code -1} if the {@code len} bytes at {@code off} are well-formed UTF-8 (RFC 3629:
     * no overlong forms, no surrogates, nothing above U+10FFFF), else the offset of the first bad
     * byte relative to {@code off}.
     */
    static int firstInvalid(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int n = sequenceLength(b, i, end);
            if (n < 0) {
                return i - off;
            }
            i += n;
        }
        return -1;
    }

    /**
     * The length, 1 to 4, of the well-formed UTF-8 sequence that starts at {@code i} and ends by
     * {@code end}; or, if the bytes there are not one (by the rules of {@link #firstInvalid}),
     * minus the length of its <em>maximal subpart</em> (Unicode §3.9, the bytes a decoder replaces
     * by one U+FFFD): the longest start of a well-formed sequence, at least the byte at {@code i}.
     */
    static int sequenceLength(byte[] b, int i, int end) {
        int c = b[i] & 0xff;
        if (c < 0x80) {
            return 1;
        }
        int need;
        int min2 = 0x80;
        int max2 = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0) {
                min2 = 0xa0;
            } else if (c == 0xed) {
                max2 = 0x9f;
            }
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0) {
                min2 = 0x90;
            } else if (c == 0xf4) {
                max2 = 0x8f;
            }
        } else {
            return -1;
        }
        for (int k = 1; k <= need; k++) {
            if (i + k >= end) {
                return -k;
            }
            int ck = b[i + k] & 0xff;
            if (ck < (k == 1 ? min2 : 0x80) || ck > (k == 1 ? max2 : 0xbf)) {
                return -k;
            }
        }
        return need + 1;
    }

    /**
     * Measures the longest prefix of {@code s} whose UTF-8 form fits in {@code maxBytes}, cut
     * only at a character boundary (never inside a surrogate pair). An unpaired surrogate counts
     * as one byte, the {@code ?} that {@link #encode} writes for it.
     *
     * @return the prefix's length in chars in the high 32 bits, its length in bytes in the low
     */
    static long measure(CharSequence s, int maxBytes) {
        int n = 0;
        int len = s.length();
        int i = 0;
        while (i < len) {
            char c = s.charAt(i);
            int bytes;
            int chars = 1;
            if (c < 0x80) {
                bytes = 1;
            } else if (c < 0x800) {
                bytes = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes = 4;
                chars = 2;
            } else if (Character.isSurrogate(c)) {
                bytes = 1;
            } else {
                bytes = 3;
            }
            if (n + bytes > maxBytes) {
                break;
            }
            n += bytes;
            i += chars;
        }
        return (long) i << 32 | n;
    }

    /**
     * Writes the UTF-8 form of the first {@code chars} chars of {@code s} at {@code pos} and
     * returns the position after it. An unpaired surrogate is written as {@code ?}, as
     * {@link String#getBytes} does.
     */
    static int encode(CharSequence s, int chars, byte[] dst, int pos) {
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                dst[pos++] = (byte) c;
            } else if (c < 0x800) {
                dst[pos++] = (byte) (0xc0 | c >>> 6);
                dst[pos++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                dst[pos++] = (byte) (0xf0 | cp >>> 18);
                dst[pos++] = (byte) (0x80 | cp >>> 12 & 0x3f);
                dst[pos++] = (byte) (0x80 | cp >>> 6 & 0x3f);
                dst[pos++] = (byte) (0x80 | cp & 0x3f);
            } else if (Character.isSurrogate(c)) {
                dst[pos++] = '?';
            } else {
                dst[pos++] = (byte) (0xe0 | c >>> 12);
                dst[pos++] = (byte) (0x80 | c >>> 6 & 0x3f);
                dst[pos++] = (byte) (0x80 | c & 0x3f);
            }
        }
        return pos;
    }
}
