package io.cellos.telemetry.guest.linux;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over the text of one kernel audit record:
 * {@code audit(SECONDS.MILLIS:SERIAL): key=value key=value ...}. Records of one event share the
 * serial; the event's last record is an {@link #EOE}.
 *
 * <p>Values come in the kernel's forms: a decimal or hex number, a {@code "quoted"} string, or,
 * for a string the kernel does not trust (one with a space, a quote or a control or non-ASCII
 * byte), the string's bytes in upper-case hex without quotes; {@code (null)} for no string.
 * Because such strings are hex-encoded, no value holds a space, and a field's key is always the
 * word after a space.
 *
 * <p>Reads a byte array the caller owns and reuses, and allocates nothing. Not thread-safe.
 */
public final class AuditRecord {
    /** {@code AUDIT_SYSCALL}: the system call, its result and the calling task. */
    public static final int SYSCALL = 1300;
    /** {@code AUDIT_SOCKADDR}: the socket address a system call was given, as hex. */
    public static final int SOCKADDR = 1306;
    /** {@code AUDIT_CONFIG_CHANGE}: audit's own configuration was changed (a rule, a setting). */
    public static final int CONFIG_CHANGE = 1305;
    /** {@code AUDIT_EOE}: the end of a multi-record event. */
    public static final int EOE = 1320;
    /** {@code AUDIT_SECCOMP}: a seccomp filter's verdict, when the filter asked for it to be logged. */
    public static final int SECCOMP = 1326;

    private static final byte[] HEADER = ascii("audit(");
    private static final byte[] NULL = ascii("(null)");

    private byte[] text;
    private int end;
    private long stampMillis;
    private long serial;
    private int pos;
    private int keyStart;
    private int keyEnd;
    private int valueStart;
    private int valueEnd;

    /** The ASCII bytes of a key or value, to compare with {@link #keyIs} and {@link #valueIs}. */
    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Points the cursor at the first {@code len} bytes of {@code text} (a trailing NUL ends it
     * earlier) and reads the header.
     *
     * @return false if the text does not start with a well-formed {@code audit(...): } header
     */
    public boolean reset(byte[] text, int len) {
        this.text = text;
        int e = 0;
        while (e < len && text[e] != 0) {
            e++;
        }
        this.end = e;
        if (!startsWith(0, HEADER)) {
            return false;
        }
        int p = HEADER.length;
        int secStart = p;
        long sec = 0;
        while (p < end && isDigit(text[p])) {
            sec = sec * 10 + (text[p++] - '0');
        }
        if (p == secStart || p >= end || text[p++] != '.') {
            return false;
        }
        int msStart = p;
        long ms = 0;
        while (p < end && isDigit(text[p])) {
            ms = ms * 10 + (text[p++] - '0');
        }
        if (p == msStart || p >= end || text[p++] != ':') {
            return false;
        }
        int serialStart = p;
        long s = 0;
        while (p < end && isDigit(text[p])) {
            s = s * 10 + (text[p++] - '0');
        }
        if (p == serialStart || p + 1 >= end || text[p] != ')' || text[p + 1] != ':') {
            return false;
        }
        stampMillis = sec * 1000 + ms;
        serial = s;
        pos = p + 2;
        return true;
    }

    /** The kernel's wall-clock time of the event, in milliseconds since the epoch. */
    public long stampMillis() {
        return stampMillis;
    }

    /** The event's serial number, shared by all its records. */
    public long serial() {
        return serial;
    }

    /**
     * Moves to the next {@code key=value} field.
     *
     * @return false when there is none
     */
    public boolean nextField() {
        while (pos < end && text[pos] == ' ') {
            pos++;
        }
        if (pos >= end) {
            return false;
        }
        keyStart = pos;
        while (pos < end && text[pos] != '=' && text[pos] != ' ') {
            pos++;
        }
        keyEnd = pos;
        if (pos >= end || text[pos] != '=') {
            // a bare word: a field with an empty value
            valueStart = valueEnd = pos;
            return true;
        }
        pos++;
        valueStart = pos;
        byte quote = pos < end ? text[pos] : 0;
        if (quote == '"' || quote == '\'') {
            pos++;
            while (pos < end && text[pos] != quote) {
                pos++;
            }
            if (pos < end) {
                pos++;
            }
        } else {
            while (pos < end && text[pos] != ' ') {
                pos++;
            }
        }
        valueEnd = pos;
        return true;
    }

    /** The current field's key, as text (for records read rarely: it allocates). */
    public String keyText() {
        return new String(text, keyStart, keyEnd - keyStart, StandardCharsets.US_ASCII);
    }

    /**
     * The current field's value as text, decoded as {@link #string} decodes it, but quoted or not
     * (for records read rarely: it allocates).
     */
    public String valueText() {
        int len = valueEnd - valueStart;
        if (len >= 2 && text[valueStart] == '"' && text[valueEnd - 1] == '"') {
            return new String(text, valueStart + 1, len - 2, StandardCharsets.UTF_8);
        }
        return new String(text, valueStart, len, StandardCharsets.UTF_8);
    }

    /** Whether the current field's key is {@code key}. */
    public boolean keyIs(byte[] key) {
        return rangeEquals(keyStart, keyEnd, key);
    }

    /** Whether the current field's value is exactly {@code value}. */
    public boolean valueIs(byte[] value) {
        return rangeEquals(valueStart, valueEnd, value);
    }

    /** The current value as a signed decimal, or {@link Long#MIN_VALUE} if it is not one. */
    public long decimal() {
        int p = valueStart;
        boolean negative = p < valueEnd && text[p] == '-';
        if (negative) {
            p++;
        }
        if (p == valueEnd || valueEnd - p > 18) {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; p < valueEnd; p++) {
            if (!isDigit(text[p])) {
                return Long.MIN_VALUE;
            }
            v = v * 10 + (text[p] - '0');
        }
        return negative ? -v : v;
    }

    /** The current value as unsigned hex (with or without {@code 0x}), or -1 if it is not one that fits 63 bits. */
    public long hex() {
        int p = valueStart;
        if (valueEnd - p > 2 && text[p] == '0' && (text[p + 1] == 'x' || text[p + 1] == 'X')) {
            p += 2;
        }
        if (p == valueEnd || valueEnd - p > 15) {
            return -1;
        }
        long v = 0;
        for (; p < valueEnd; p++) {
            int d = hexDigit(text[p]);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /**
     * Decodes the current value as an untrusted string: the bytes between the quotes, or the bytes
     * the hex stands for; {@code (null)} is empty.
     *
     * @return how many bytes went into {@code dst} (at most its length; longer strings are cut), or
     *         -1 if the value is neither form
     */
    public int string(byte[] dst) {
        if (rangeEquals(valueStart, valueEnd, NULL)) {
            return 0;
        }
        int len = valueEnd - valueStart;
        if (len >= 2 && text[valueStart] == '"' && text[valueEnd - 1] == '"') {
            int n = Math.min(len - 2, dst.length);
            System.arraycopy(text, valueStart + 1, dst, 0, n);
            return n;
        }
        return hexBytes(dst);
    }

    /**
     * Decodes the current value, a run of hex digit pairs, into bytes.
     *
     * @return how many bytes went into {@code dst} (at most its length), or -1 if the value is not hex
     */
    public int hexBytes(byte[] dst) {
        int len = valueEnd - valueStart;
        if (len == 0 || (len & 1) != 0) {
            return -1;
        }
        int n = Math.min(len / 2, dst.length);
        for (int i = 0; i < n; i++) {
            int hi = hexDigit(text[valueStart + 2 * i]);
            int lo = hexDigit(text[valueStart + 2 * i + 1]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            dst[i] = (byte) (hi << 4 | lo);
        }
        return n;
    }

    private boolean startsWith(int at, byte[] prefix) {
        return end - at >= prefix.length && rangeEquals(at, at + prefix.length, prefix);
    }

    private boolean rangeEquals(int from, int to, byte[] b) {
        return Arrays.equals(text, from, to, b, 0, b.length);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int hexDigit(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return -1;
    }
}
