package io.cellos.telemetry.wire;

import java.nio.charset.StandardCharsets;

/**
 * The keys a body's map may carry (protocol.md §3–§4), each with its CBOR type and range: for an
 * unsigned key its largest value, for a text key the most bytes of UTF-8 it may hold.
 *
 * <p>The order of the constants is the order an encoder writes them in: the five core keys,
 * {@code content_version} first, then the extension keys. New keys are added at the end, so
 * that a key already written keeps its place (and its ordinal) in every frame.
 */
public enum Field {
    CONTENT_VERSION("content_version", true, 0xffffL),
    PROBE_SOURCE("probe_source", false, Integer.MAX_VALUE),
    GUEST_PID("guest_pid", true, 0xffff_ffffL),
    GUEST_COMM("guest_comm", false, Wire.MAX_COMM_BYTES),
    GUEST_MONOTONIC_NS("guest_monotonic_ns", true, -1L),
    DROPPED_TOTAL("dropped_total", true, -1L),
    PARENT_PID("parent_pid", true, 0xffff_ffffL),
    EXIT_CODE("exit_code", true, 0xffff_ffffL),
    PATH("path", false, Integer.MAX_VALUE),
    PEER("peer", false, Integer.MAX_VALUE),
    CAPABILITY("capability", true, 0xffL),
    SYSCALL("syscall", true, 0xffffL),
    SESSION("session", false, Integer.MAX_VALUE),
    WHAT("what", false, Integer.MAX_VALUE),
    CMDLINE("cmdline", false, Wire.MAX_CMDLINE_BYTES),
    /** Always exactly 64 lowercase hex digits; see {@link #isWellFormed}. */
    SHA256("sha256", false, Sha256Hex.LENGTH),
    HOST("host", false, Integer.MAX_VALUE),
    EXE("exe", false, Wire.MAX_EXE_BYTES),
    SOCKET("socket", false, Integer.MAX_VALUE),
    PROTOCOL("protocol", false, Integer.MAX_VALUE);

    /** Number of core keys; the first {@code CORE_COUNT} constants are the core keys. */
    public static final int CORE_COUNT = 5;

    private static final Field[] ALL = values();

    private final String wireName;
    private final byte[] utf8;
    private final boolean unsigned;
    private final long max;

    Field(String wireName, boolean unsigned, long max) {
        this.wireName = wireName;
        this.utf8 = wireName.getBytes(StandardCharsets.US_ASCII);
        this.unsigned = unsigned;
        this.max = max;
    }

    /** The key as it stands on the wire. */
    public String wireName() {
        return wireName;
    }

    /** {@code true} for an unsigned-integer field, {@code false} for a text field. */
    public boolean isUnsigned() {
        return unsigned;
    }

    /** The largest value of an unsigned field, compared unsigned ({@code -1} is 2^64-1). */
    public long max() {
        return max;
    }

    /**
     * The most bytes of UTF-8 a value of this text field may hold: a decoder refuses a longer one
     * ({@link FrameError#FIELD_TOO_LONG}), an encoder cuts it. {@link Integer#MAX_VALUE} when the
     * body's own size is the only bound.
     */
    public int maxBytes() {
        return (int) max;
    }

    /**
     * Whether {@code value} has the form this text field requires beyond its length: for
     * {@link #SHA256}, exactly 64 lowercase hex digits; for every other field, any text.
     */
    public boolean isWellFormed(CharSequence value) {
        return this != SHA256 || Sha256Hex.isWellFormed(value);
    }

    /** Whether this is one of the five core keys of CellOS 0.5. */
    public boolean core() {
        return ordinal() < CORE_COUNT;
    }

    byte[] utf8() {
        return utf8;
    }

    /** The field whose key is the {@code len} bytes at {@code off}, or {@code null}. */
    static Field fromUtf8(byte[] src, int off, int len) {
        for (Field f : ALL) {
            if (Utf8.equalsBytes(f.utf8, src, off, len)) {
                return f;
            }
        }
        return null;
    }

    static Field byOrdinal(int ordinal) {
        return ALL[ordinal];
    }
}
