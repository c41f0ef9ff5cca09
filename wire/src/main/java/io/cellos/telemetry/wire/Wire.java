package io.cellos.telemetry.wire;

/**
 * Constants of the guest-to-host telemetry channel (protocol.md §1–§4).
 *
 * <p>These numbers are the contract with CellOS {@code cellos-telemetry} 0.5; changing any of them
 * breaks compatibility with deployed hosts and guests.
 */
public final class Wire {
    /** The vsock CID of the host, as seen from a guest. */
    public static final int VMADDR_CID_HOST = 2;
    /** The vsock port the agent streams frames to; the host listens on {@code <uds>_9001}. */
    public static final int VSOCK_TELEMETRY_PORT = 9001;
    /** The vsock port on which init reports the workload's exit status. */
    public static final int VSOCK_EXIT_PORT = 9000;
    /** Bytes of the little-endian length prefix in front of every body. */
    public static final int HEADER_BYTES = 4;
    /** The largest body a frame may carry ({@code MAX_FRAME_BODY_BYTES}). */
    public static final int MAX_BODY_BYTES = 4096;
    /** The largest whole frame: prefix plus the largest body. */
    public static final int MAX_FRAME_BYTES = HEADER_BYTES + MAX_BODY_BYTES;
    /** The most bytes of UTF-8 a {@code guest_comm} may hold (the kernel's TASK_COMM_LEN less the NUL). */
    public static final int MAX_COMM_BYTES = 16;
    /**
     * The most bytes of UTF-8 a {@code cmdline} may hold, its cut mark ({@link CommandLine#CUT_MARK})
     * included (protocol.md §4).
     */
    public static final int MAX_CMDLINE_BYTES = 1024;
    /**
     * The most bytes of UTF-8 an {@code exe} may hold: {@code PATH_MAX}, the most a path the kernel
     * gives back can be (protocol.md §4). A body of {@link #MAX_BODY_BYTES} never holds that much
     * beside the core keys, so only a decoder given a larger body ({@link FrameDecoder#decodeBody})
     * meets a longer one.
     */
    public static final int MAX_EXE_BYTES = 4096;
    /** The most entries a body's map may hold. */
    public static final int MAX_ENTRIES = 16;
    /** {@code content_version} of a frame with only the core keys. */
    public static final int VERSION_1_0 = 0x0100;
    /** {@code content_version} of a frame that carries any version 1.1 extension key. */
    public static final int VERSION_1_1 = 0x0101;
    /** The only major version this codec speaks. */
    public static final int SUPPORTED_MAJOR = 1;

    private Wire() {
    }

    /**
     * The longest prefix of {@code s} whose UTF-8 form fits in {@code maxBytes}, cut at a character
     * boundary (never inside a surrogate pair): how encoders shorten a text field.
     */
    public static String prefixFitting(String s, int maxBytes) {
        int chars = (int) (Utf8.measure(s, maxBytes) >>> 32);
        return chars == s.length() ? s : s.substring(0, chars);
    }

    /** The major version of a {@code content_version} value (its high byte). */
    public static int major(int contentVersion) {
        return (contentVersion >>> 8) & 0xff;
    }

    /** The minor version of a {@code content_version} value (its low byte). */
    public static int minor(int contentVersion) {
        return contentVersion & 0xff;
    }

    /**
     * Reads the little-endian length prefix at {@code off}. The value is unsigned and not
     * validated: see {@link FrameDecoder#checkBodyLength(long)}.
     */
    public static long readLength(byte[] src, int off) {
        return (src[off] & 0xffL) | (src[off + 1] & 0xffL) << 8 | (src[off + 2] & 0xffL) << 16
                | (src[off + 3] & 0xffL) << 24;
    }

    /** Writes {@code length} as the 4-byte little-endian prefix at {@code off}. */
    public static void writeLength(byte[] dst, int off, int length) {
        dst[off] = (byte) length;
        dst[off + 1] = (byte) (length >>> 8);
        dst[off + 2] = (byte) (length >>> 16);
        dst[off + 3] = (byte) (length >>> 24);
    }
}
