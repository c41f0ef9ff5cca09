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
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need;
            int min2;
            int max2 = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
                min2 = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                min2 = c == 0xe0 ? 0xa0 : 0x80;
                if (c == 0xed) {
                    max2 = 0x9f;
                }
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                min2 = c == 0xf0 ? 0x90 : 0x80;
                if (c == 0xf4) {
                    max2 = 0x8f;
                }
            } else {
                return i - off;
            }
            if (i + need >= end) {
                return i - off;
            }
            int c2 = b[i + 1] & 0xff;
            if (c2 < min2 || c2 > max2) {
                return i - off;
            }
            for (int k = 2; k <= need; k++) {
                int ck = b[i + k] & 0xff;
                if (ck < 0x80 || ck > 0xbf) {
                    return i - off;
                }
            }
            i += need + 1;
        }
        return -1;
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
