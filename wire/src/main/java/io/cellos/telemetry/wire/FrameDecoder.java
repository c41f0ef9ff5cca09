package io.cellos.telemetry.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads frames (protocol.md §2–§3) and enforces every rule of the contract. Every byte is taken
 * as hostile: each refusal is a {@link FrameException} naming the cause and, where there is one,
 * the field and the byte offset.
 *
 * <p>Rules, in the order they are checked: the body is a definite map of at most
 * {@link Wire#MAX_ENTRIES} entries; keys are text; {@code content_version} is the first key and a
 * version of major 1 (a frame of any other major is refused before any other key is looked at);
 * values are unsigned integers or definite text only, additional information 0–27; known keys
 * have their type and range; text is valid UTF-8, within its key's {@link Field#maxBytes()}
 * ({@code guest_comm} 16 bytes, {@code cmdline} 1,024 — the cut mark included, so every
 * {@code cmdline} an agent cuts as protocol.md §4 says is accepted — {@code exe} 4,096) and of
 * its key's form (a {@code sha256} is 64 lowercase hex digits); no key appears twice; nothing follows the map;
 * the five core keys are present; the probe source is known. Unknown keys are skipped.
 *
 * <p>Stateless and thread-safe. A well-formed body allocates only the event and its strings.
 */
public final class FrameDecoder {
    private static final int MAJOR_UINT = 0;
    private static final int MAJOR_TEXT = 3;
    private static final int MAJOR_MAP = 5;

    private FrameDecoder() {
    }

    /**
     * Checks a length prefix before anything is allocated or read for the body.
     *
     * @param length the prefix as read by {@link Wire#readLength}
     * @throws FrameException {@link FrameError#ZERO_LENGTH} or {@link FrameError#FRAME_TOO_LARGE};
     *                        both lose the framing of the stream
     */
    public static void checkBodyLength(long length) throws FrameException {
        if (length == 0) {
            throw new FrameException(FrameError.ZERO_LENGTH, null, 0, "the length prefix is 0");
        }
        if (length > Wire.MAX_BODY_BYTES) {
            throw new FrameException(FrameError.FRAME_TOO_LARGE, null, 0,
                    "the length prefix is " + length + ", over the limit of " + Wire.MAX_BODY_BYTES);
        }
    }

    /**
     * Decodes exactly one frame, prefix and body, held in the {@code len} bytes at {@code off}.
     * Offsets in errors count from the start of the frame.
     */
    public static ProbeEvent decodeFrame(byte[] src, int off, int len) throws FrameException {
        if (len < Wire.HEADER_BYTES) {
            throw new FrameException(FrameError.SHORT_HEADER, null, 0,
                    "need " + Wire.HEADER_BYTES + " bytes of length prefix, have " + len);
        }
        long bodyLength = Wire.readLength(src, off);
        checkBodyLength(bodyLength);
        int have = len - Wire.HEADER_BYTES;
        if (have < bodyLength) {
            throw new FrameException(FrameError.TRUNCATED, null, len,
                    "the prefix announces " + bodyLength + " body bytes, only " + have + " follow");
        }
        if (have > bodyLength) {
            throw new FrameException(FrameError.TRAILING_BYTES, null, Wire.HEADER_BYTES + bodyLength,
                    (have - bodyLength) + " bytes follow the frame");
        }
        return new Reader(src, off + Wire.HEADER_BYTES, (int) bodyLength, off).body();
    }

    /**
     * Decodes one body: the {@code len} bytes at {@code off}, which must be exactly one CBOR map.
     * Offsets in errors count from {@code off}.
     */
    public static ProbeEvent decodeBody(byte[] src, int off, int len) throws FrameException {
        return new Reader(src, off, len, off).body();
    }

    /** The cursor over one body; one per decode, never escapes. */
    private static final class Reader {
        private final byte[] b;
        private final int start;
        private final int end;
        /** Where error offsets count from: the body's start, or the frame's. */
        private final int reportBase;
        private int pos;
        /** The offset of the head of the item last read by {@link #head}. */
        private int itemOff;
        private int major;

        Reader(byte[] b, int off, int len, int reportBase) {
            this.b = b;
            this.reportBase = reportBase;
            this.start = off;
            this.end = off + len;
            this.pos = off;
        }

        /**
         * Reads the map entry by entry, keeping each known key's value in a local (so that the
         * cursor stays the only object the decode makes besides the event), then checks it whole.
         */
        ProbeEvent body() throws FrameException {
            int entries = mapHead();
            int seen = 0; // one bit per known key read, by ordinal
            int version = -1;
            ProbeSource source = null;
            int sourceOff = -1;
            long pid = 0;
            long mono = 0;
            String comm = null;
            Long dropped = null, parent = null, exit = null;
            String path = null, peer = null, session = null, what = null, cmdline = null, sha256 = null, host = null,
                    exe = null, socket = null, protocol = null;
            Integer cap = null, sys = null;
            int[] unknownKeys = null; // offset << 16 | length of each unknown key, made only when needed
            int unknownCount = 0;
            for (int i = 0; i < entries; i++) {
                int keyOff = pos;
                Field f = key(i);
                if (f == null) {
                    unknownKeys = unknownKey(unknownKeys, unknownCount++, keyOff);
                    skipValue();
                    continue;
                }
                int bit = 1 << f.ordinal();
                if ((seen & bit) != 0) {
                    throw fail(FrameError.DUPLICATE_KEY, f.wireName(), keyOff, "the key appears twice");
                }
                seen |= bit;
                int valueOff = pos;
                long v = value(f, valueOff);
                int textOff = pos - (int) v; // for a text, where it starts
                switch (f) {
                    case CONTENT_VERSION -> version = (int) v;
                    case GUEST_PID -> pid = v;
                    case GUEST_MONOTONIC_NS -> mono = v;
                    case DROPPED_TOTAL -> dropped = v;
                    case PARENT_PID -> parent = v;
                    case EXIT_CODE -> exit = v;
                    case CAPABILITY -> cap = (int) v;
                    case SYSCALL -> sys = (int) v;
                    case PROBE_SOURCE -> {
                        source = ProbeSource.fromUtf8(b, textOff, (int) v);
                        sourceOff = valueOff;
                    }
                    case GUEST_COMM -> comm = text(textOff, (int) v);
                    case PATH -> path = text(textOff, (int) v);
                    case PEER -> peer = text(textOff, (int) v);
                    case SESSION -> session = text(textOff, (int) v);
                    case WHAT -> what = text(textOff, (int) v);
                    case CMDLINE -> cmdline = text(textOff, (int) v);
                    case SHA256 -> sha256 = text(textOff, (int) v);
                    case HOST -> host = text(textOff, (int) v);
                    case EXE -> exe = text(textOff, (int) v);
                    case SOCKET -> socket = text(textOff, (int) v);
                    case PROTOCOL -> protocol = text(textOff, (int) v);
                }
            }
            checkComplete(seen, source, sourceOff);
            Extensions ext = (seen & -1 << Field.CORE_COUNT) == 0 ? Extensions.NONE
                    : new Extensions(dropped, parent, exit, path, peer, cap, sys, session, what, cmdline, sha256, host,
                            exe, socket, protocol);
            return new ProbeEvent(version, source, pid, comm, mono, ext);
        }

        /** Reads the body's head, which must open a definite map within the limit; returns its entry count. */
        private int mapHead() throws FrameException {
            if (end == start) {
                throw fail(FrameError.ZERO_LENGTH, null, start, "the body is empty");
            }
            int bodyMajor = (b[start] & 0xff) >>> 5;
            if (bodyMajor != MAJOR_MAP) {
                throw fail(FrameError.NOT_A_MAP, null, start, "the body is of CBOR major type " + bodyMajor + " ("
                        + majorName(bodyMajor) + "), not a map");
            }
            long n = head(null);
            if (Long.compareUnsigned(n, Wire.MAX_ENTRIES) > 0) {
                throw fail(FrameError.TOO_MANY_ENTRIES, null, start,
                        "the map declares " + Long.toUnsignedString(n) + " entries, the limit is " + Wire.MAX_ENTRIES);
            }
            return (int) n;
        }

        /**
         * Reads the key of entry {@code i}: text, valid UTF-8, {@code content_version} if first.
         * Returns its field, or {@code null} for an unknown key (the cursor then past the key).
         */
        private Field key(int i) throws FrameException {
            int keyOff = pos;
            long keyLen = head(null);
            if (major != MAJOR_TEXT) {
                throw fail(FrameError.NON_TEXT_KEY, null, keyOff, "map key " + i + " is of CBOR major type " + major);
            }
            int kLen = need(keyLen, null);
            int kOff = pos;
            checkUtf8(null, kOff, kLen);
            pos += kLen;
            Field f = Field.fromUtf8(b, kOff, kLen);
            if (i == 0 && f != Field.CONTENT_VERSION) {
                throw fail(FrameError.CONTENT_VERSION_NOT_FIRST, f == null ? null : f.wireName(), keyOff,
                        "the first key must be content_version");
            }
            return f;
        }

        /**
         * Records the unknown key just read, whose head is at {@code keyOff}, as the
         * {@code count}-th; refuses it if it came before. Returns the record, made on first use.
         */
        private int[] unknownKey(int[] unknownKeys, int count, int keyOff) throws FrameException {
            int[] keys = unknownKeys == null ? new int[Wire.MAX_ENTRIES] : unknownKeys;
            int ai = b[keyOff] & 0x1f; // a head already read: its argument is 0 to 8 bytes
            int kOff = keyOff + 1 + (ai < 24 ? 0 : 1 << (ai - 24));
            int kLen = pos - kOff;
            for (int k = 0; k < count; k++) {
                int prev = keys[k];
                if ((prev & 0xffff) == kLen && Arrays.equals(b, start + (prev >>> 16), start + (prev >>> 16) + kLen, b, kOff,
                        kOff + kLen)) {
                    throw fail(FrameError.DUPLICATE_KEY, new String(b, kOff, kLen, StandardCharsets.UTF_8),
                            keyOff, "the key appears twice");
                }
            }
            keys[count] = (kOff - start) << 16 | kLen;
            return keys;
        }

        /**
         * Reads the value of the known key {@code f}, checked for its type and range: an unsigned
         * value is returned; a text is checked (valid UTF-8, within its limit) and passed over, and
         * its length returned.
         */
        private long value(Field f, int valueOff) throws FrameException {
            String name = f.wireName();
            long v = head(name);
            if (major == MAJOR_MAP) {
                throw fail(FrameError.NESTED_MAP, name, valueOff, "maps may not nest");
            }
            int want = f.isUnsigned() ? MAJOR_UINT : MAJOR_TEXT;
            if (major != want) {
                throw fail(FrameError.WRONG_FIELD_TYPE, name, valueOff, "expected " + (want == MAJOR_UINT
                        ? "an unsigned integer" : "a text string") + ", found CBOR major type " + major);
            }
            if (f.isUnsigned()) {
                if (Long.compareUnsigned(v, f.max()) > 0) {
                    throw fail(FrameError.INTEGER_OVERFLOW, name, valueOff,
                            Long.toUnsignedString(v) + " is above the maximum " + Long.toUnsignedString(f.max()));
                }
                if (f == Field.CONTENT_VERSION && Wire.major((int) v) != Wire.SUPPORTED_MAJOR) {
                    throw fail(FrameError.UNSUPPORTED_VERSION, name, valueOff,
                            "version 0x" + Integer.toHexString((int) v) + " is not of major 1");
                }
                return v;
            }
            int tLen = need(v, name);
            checkUtf8(name, pos, tLen);
            if (tLen > f.maxBytes()) {
                throw fail(FrameError.FIELD_TOO_LONG, name, valueOff, tLen + " bytes, the limit is " + f.maxBytes());
            }
            if (f == Field.SHA256) {
                checkSha256(pos, tLen, valueOff);
            }
            pos += tLen;
            return tLen;
        }

        /** Checks, once the map is read whole, that nothing follows it, every core key came, and the probe source is known. */
        private void checkComplete(int seen, ProbeSource source, int sourceOff) throws FrameException {
            if (pos != end) {
                throw fail(FrameError.TRAILING_BYTES, null, pos, (end - pos) + " bytes follow the map");
            }
            for (int o = 0; o < Field.CORE_COUNT; o++) {
                if ((seen & 1 << o) == 0) {
                    throw fail(FrameError.MISSING_FIELD, Field.byOrdinal(o).wireName(), -1, "a core key is absent");
                }
            }
            if (source == null) {
                throw fail(FrameError.UNKNOWN_PROBE_SOURCE, Field.PROBE_SOURCE.wireName(), sourceOff,
                        "unknown probe source");
            }
        }

        /**
         * Reads an item head at {@code pos}: sets {@link #major} and returns the argument
         * (a length or an integer value, unsigned).
         */
        private long head(String field) throws FrameException {
            itemOff = pos;
            if (pos >= end) {
                throw fail(FrameError.UNEXPECTED_END, field, pos, "the body ends where an item should start");
            }
            int ib = b[pos++] & 0xff;
            major = ib >>> 5;
            int ai = ib & 0x1f;
            if (major != MAJOR_UINT && major != MAJOR_TEXT && major != MAJOR_MAP) {
                throw fail(FrameError.UNSUPPORTED_MAJOR, field, itemOff,
                        "CBOR major type " + major + " (" + majorName(major) + ") is not allowed");
            }
            if (ai < 24) {
                return ai;
            }
            if (ai > 27) {
                throw fail(FrameError.UNSUPPORTED_ADDITIONAL_INFO, field, itemOff,
                        "additional information " + ai + (ai == 31 ? " (indefinite length)" : " (reserved)"));
            }
            int width = 1 << (ai - 24);
            if (end - pos < width) {
                throw fail(FrameError.UNEXPECTED_END, field, itemOff,
                        "the item's " + width + "-byte argument runs past the end of the body");
            }
            long v = 0;
            for (int i = 0; i < width; i++) {
                v = v << 8 | (b[pos++] & 0xff);
            }
            return v;
        }

        /** Returns {@code len} as an int if that many bytes remain, else fails. */
        private int need(long len, String field) throws FrameException {
            if (Long.compareUnsigned(len, end - pos) > 0) {
                throw fail(FrameError.UNEXPECTED_END, field, itemOff,
                        "a text of " + Long.toUnsignedString(len) + " bytes runs past the end of the body");
            }
            return (int) len;
        }

        private void skipValue() throws FrameException {
            int valueOff = pos;
            long v = head(null);
            if (major == MAJOR_MAP) {
                throw fail(FrameError.NESTED_MAP, null, valueOff, "maps may not nest");
            }
            if (major == MAJOR_TEXT) {
                int len = need(v, null);
                checkUtf8(null, pos, len);
                pos += len;
            }
        }

        /** A {@code sha256} of {@code len} bytes at {@code off}, not over 64: exactly 64 lowercase hex digits. */
        private void checkSha256(int off, int len, int valueOff) throws FrameException {
            int bad = Sha256Hex.firstNonDigit(b, off, len);
            if (bad >= 0) {
                throw fail(FrameError.MALFORMED_FIELD, Field.SHA256.wireName(), off + bad,
                        "byte " + bad + " of the digest is not a lowercase hex digit [0-9a-f]");
            }
            if (len != Sha256Hex.LENGTH) {
                throw fail(FrameError.MALFORMED_FIELD, Field.SHA256.wireName(), valueOff,
                        len + " hex digits, a SHA-256 has " + Sha256Hex.LENGTH);
            }
        }

        private void checkUtf8(String field, int off, int len) throws FrameException {
            int bad = Utf8.firstInvalid(b, off, len);
            if (bad >= 0) {
                throw fail(FrameError.INVALID_UTF8, field, off + bad, "invalid UTF-8");
            }
        }

        private String text(int off, int len) {
            return new String(b, off, len, StandardCharsets.UTF_8);
        }

        /** A refusal at absolute position {@code at} in the array ({@code -1}: none). */
        private FrameException fail(FrameError error, String field, int at, String detail) {
            return new FrameException(error, field, at < 0 ? -1 : at - reportBase, detail);
        }

        private static String majorName(int major) {
            return switch (major) {
                case 0 -> "unsigned integer";
                case 1 -> "negative integer";
                case 3 -> "text string";
                case 5 -> "map";
                case 2 -> "byte string";
                case 4 -> "array";
                case 6 -> "tag";
                default -> "float or simple value";
            };
        }
    }
}
