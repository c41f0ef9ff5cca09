package io.cellos.telemetry.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.IntStream;

/**
 * A tiny hand-written CBOR writer for tests, written from RFC 8949 §3 and nothing else, so that
 * hostile and non-shortest bodies can be built without going through the codec under test.
 * Every method appends and returns {@code this}.
 */
final class CborBytes {
    public static final int UINT = 0;
    public static final int NEGATIVE = 1;
    public static final int BYTES = 2;
    public static final int TEXT = 3;
    public static final int ARRAY = 4;
    public static final int MAP = 5;
    public static final int TAG = 6;
    public static final int SIMPLE = 7;

    private byte[] buf = new byte[64];
    private int size;

    private CborBytes() {
    }

    public static CborBytes cbor() {
        return new CborBytes();
    }

    /** The fewest argument bytes that can hold {@code arg}: 0 (inside the initial byte), 1, 2, 4 or 8. */
    public static int shortestWidth(long arg) {
        if (Long.compareUnsigned(arg, 24) < 0) {
            return 0;
        }
        if (Long.compareUnsigned(arg, 0xffL) <= 0) {
            return 1;
        }
        if (Long.compareUnsigned(arg, 0xffffL) <= 0) {
            return 2;
        }
        return Long.compareUnsigned(arg, 0xffff_ffffL) <= 0 ? 4 : 8;
    }

    /** Every argument width that can hold {@code arg}, shortest first. */
    public static int[] widthsFor(long arg) {
        return IntStream.of(0, 1, 2, 4, 8).filter(w -> w >= shortestWidth(arg)).toArray();
    }

    /** An item head with {@code arg} in its shortest form. */
    public CborBytes head(int major, long arg) {
        return head(major, arg, shortestWidth(arg));
    }

    /** An item head with {@code arg} in exactly {@code width} argument bytes (0, 1, 2, 4 or 8). */
    public CborBytes head(int major, long arg, int width) {
        if (width == 0) {
            if (Long.compareUnsigned(arg, 24) >= 0) {
                throw new IllegalArgumentException(arg + " does not fit the initial byte");
            }
            return raw(major << 5 | (int) arg);
        }
        if (width < 8 && Long.compareUnsigned(arg, (1L << 8 * width) - 1) > 0) {
            throw new IllegalArgumentException(Long.toUnsignedString(arg) + " does not fit " + width + " bytes");
        }
        int ai = switch (width) {
            case 1 -> 24;
            case 2 -> 25;
            case 4 -> 26;
            case 8 -> 27;
            default -> throw new IllegalArgumentException("width " + width);
        };
        raw(major << 5 | ai);
        for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) {
            raw((int) (arg >>> shift) & 0xff);
        }
        return this;
    }

    public CborBytes uint(long value) {
        return head(UINT, value);
    }

    public CborBytes uint(long value, int width) {
        return head(UINT, value, width);
    }

    public CborBytes map(int entries) {
        return head(MAP, entries);
    }

    public CborBytes text(String s) {
        return text(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A text string whose payload is {@code payload} as is, valid UTF-8 or not. */
    public CborBytes text(byte[] payload) {
        head(TEXT, payload.length);
        return append(payload);
    }

    public CborBytes raw(int... bytes) {
        for (int b : bytes) {
            ensure(1);
            buf[size++] = (byte) b;
        }
        return this;
    }

    public CborBytes append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    public CborBytes append(CborBytes other) {
        return append(other.toByteArray());
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(buf, 0, size);
    }

    /** {@code body} behind its 4-byte little-endian length prefix. */
    public static byte[] frame(byte[] body) {
        return prefixed(body.length, body);
    }

    /** {@code body} behind a prefix announcing {@code length}, whatever the body's real length. */
    public static byte[] prefixed(long length, byte[] body) {
        byte[] f = new byte[4 + body.length];
        for (int i = 0; i < 4; i++) {
            f[i] = (byte) (length >>> 8 * i);
        }
        System.arraycopy(body, 0, f, 4, body.length);
        return f;
    }

    public static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    private void ensure(int n) {
        if (size + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
    }
}
