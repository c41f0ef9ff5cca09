package io.cellos.telemetry.wire;

import java.nio.charset.StandardCharsets;

/**
 * Formats a process's arguments as the {@code cmdline} of a {@code process.exec} (protocol.md §4):
 * each argument quoted as a POSIX shell would need it, joined by single spaces, cut at
 * {@link Wire#MAX_CMDLINE_BYTES} bytes of UTF-8.
 *
 * <p><b>Input.</b> The kernel's argument area as {@code /proc/PID/cmdline} or
 * {@code mm->arg_start..arg_end} holds it: arguments each followed by a NUL. An area that does
 * not end in a NUL (a reader that stopped early, or a process that rewrote its area) has its last
 * argument taken as it stands. An empty area is no argument at all, and gives an empty text.
 *
 * <p><b>Quoting.</b> An argument made only of {@code [A-Za-z0-9@%+=:,./_-]} is written as it is,
 * except that the first argument is quoted when it holds {@code =} (a shell would read
 * {@code A=b} in command position as an assignment). Any other argument is put in single
 * quotes, an embedded {@code '} written as {@code '\''}; an empty argument is {@code ''}. Bytes
 * that are not well-formed UTF-8 (RFC 3629, as {@link FrameDecoder} judges text) are replaced by
 * U+FFFD, one for each maximal subpart of an ill-formed sequence (Unicode §3.9, "U+FFFD
 * substitution of maximal subparts", as WHATWG's and Python's decoders do; the JDK's decoder
 * replaces an encoded surrogate, whole or cut short, by one U+FFFD, this class by one per
 * byte), so the output is always valid UTF-8; such an argument no longer reads back as the
 * bytes the process had.
 *
 * <p><b>Cutting.</b> The whole text, {@link #CUT_MARK} included, is at most
 * {@link Wire#MAX_CMDLINE_BYTES} bytes — the limit {@link FrameDecoder} holds a {@code cmdline}
 * to. When the formatted arguments do not fit, or the caller says its area was already cut,
 * the text is cut at the last character boundary that leaves room for the mark, and ends in
 * {@link #CUT_MARK}. A text that does not end in the mark reads back, by a POSIX shell's rules
 * for quoting, as exactly the arguments (after the replacement of bad bytes).
 *
 * <p>Stateless and thread-safe; allocates nothing. The agent keeps one output buffer of
 * {@link Wire#MAX_CMDLINE_BYTES} per thread and makes a string of it only when it builds an event.
 */
public final class CommandLine {
    /** Ends a cut command line: U+2026 HORIZONTAL ELLIPSIS. */
    public static final String CUT_MARK = "\u2026";

    /** {@link #CUT_MARK} in UTF-8; never written to. */
    static final byte[] CUT_MARK_UTF8 = CUT_MARK.getBytes(StandardCharsets.UTF_8);
    private static final byte[] REPLACEMENT_UTF8 = "\uFFFD".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ESCAPED_QUOTE = {'\'', '\\', '\'', '\''};
    private static final byte[] QUOTE = {'\''};
    private static final byte[] EMPTY = {'\'', '\''};
    private static final byte[] SPACE = {' '};
    private static final int LIMIT = Wire.MAX_CMDLINE_BYTES;

    private CommandLine() {
    }

    /**
     * Writes the command line of the {@code len} bytes of argument area at {@code off} into
     * {@code dst} at {@code dstOff}, and returns the number of bytes written, at most
     * {@link Wire#MAX_CMDLINE_BYTES}.
     *
     * @param sourceTruncated the area was already cut by whoever read it (arguments, or the end
     *                        of the last one, are missing): the text then ends in {@link #CUT_MARK}
     *                        however short it is
     * @throws IndexOutOfBoundsException if {@code dst} lacks room for what is written (room for
     *                                   {@link Wire#MAX_CMDLINE_BYTES} bytes always suffices)
     */
    public static int format(byte[] area, int off, int len, boolean sourceTruncated, byte[] dst, int dstOff) {
        int limit = dstOff + LIMIT;
        int pos = dstOff;
        int end = off + len;
        int argStart = off;
        while (argStart < end) {
            int argEnd = argStart;
            while (argEnd < end && area[argEnd] != 0) {
                argEnd++;
            }
            if (argStart > off) {
                pos = put(dst, pos, limit, SPACE, 0, 1);
            }
            pos = pos < 0 ? pos : quote(area, argStart, argEnd, argStart == off, dst, pos, limit);
            if (pos < 0) {
                return cut(dst, dstOff, -pos - 1);
            }
            argStart = argEnd + 1;
        }
        return sourceTruncated ? cut(dst, dstOff, pos) : pos - dstOff;
    }

    /*
     * The writers below write at pos, never past limit: each returns the position after what it
     * wrote, or, when a character did not fit, -1 - the position where it stopped. The text is let
     * run to the whole limit, not just to the room left for the mark, so that a text that fits
     * whole is kept whole; cut() then steps back.
     */

    /** Writes one argument, quoted as it needs. */
    private static int quote(byte[] a, int from, int to, boolean first, byte[] dst, int pos, int limit) {
        if (from == to) {
            return put(dst, pos, limit, EMPTY, 0, EMPTY.length);
        }
        if (isSafe(a, from, to, first)) {
            return put(dst, pos, limit, a, from, to - from);
        }
        pos = put(dst, pos, limit, QUOTE, 0, 1);
        int i = from;
        while (i < to && pos >= 0) {
            int n = Utf8.sequenceLength(a, i, to);
            if (n < 0) {
                pos = put(dst, pos, limit, REPLACEMENT_UTF8, 0, REPLACEMENT_UTF8.length);
                n = -n;
            } else if (a[i] == '\'') {
                pos = put(dst, pos, limit, ESCAPED_QUOTE, 0, ESCAPED_QUOTE.length);
            } else {
                pos = put(dst, pos, limit, a, i, n);
            }
            i += n;
        }
        return pos < 0 ? pos : put(dst, pos, limit, QUOTE, 0, 1);
    }

    private static boolean isSafe(byte[] a, int from, int to, boolean first) {
        for (int i = from; i < to; i++) {
            int c = a[i];
            boolean safe = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '@' || c == '%' || c == '+' || c == ':' || c == ',' || c == '.' || c == '/'
                    || c == '_' || c == '-' || c == '=' && !first;
            if (!safe) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies {@code n} bytes, or as many as fit: the part of a character that did not fit whole
     * is dropped again by {@link #cut}, which steps back to a character boundary.
     */
    private static int put(byte[] dst, int pos, int limit, byte[] src, int off, int n) {
        if (pos < 0) {
            return pos;
        }
        if (pos + n <= limit) {
            System.arraycopy(src, off, dst, pos, n);
            return pos + n;
        }
        int fit = limit - pos;
        System.arraycopy(src, off, dst, pos, fit);
        return -1 - (pos + fit);
    }

    /**
     * Ends the text written from {@code start} to {@code pos} with the mark, at the last character
     * boundary that leaves it room, and returns the text's length. What is written is well-formed
     * UTF-8, so a boundary is any byte that is not a continuation byte.
     */
    private static int cut(byte[] dst, int start, int pos) {
        int at = Math.min(pos, start + LIMIT - CUT_MARK_UTF8.length);
        while (at > start && at < pos && (dst[at] & 0xc0) == 0x80) {
            at--;
        }
        System.arraycopy(CUT_MARK_UTF8, 0, dst, at, CUT_MARK_UTF8.length);
        return at + CUT_MARK_UTF8.length - start;
    }
}
