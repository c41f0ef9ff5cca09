package io.cellos.telemetry.wire;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * What the contract says should come out, computed independently of the codec: from the JDK's
 * own UTF-8 encoder and from protocol.md, never from {@link Utf8} or {@link FrameEncoder}.
 */
final class Expected {
    /**
     * Every value on either side of a CBOR width boundary, as unsigned 64-bit longs:
     * 23/24, 255/256, 65535/65536, 2^32-1/2^32, 2^63-1/2^63 and 2^64-1.
     */
    public static final long[] WIDTH_BOUNDARIES = {
            0, 1, 23, 24, 255, 256, 65_535, 65_536, 0xffff_ffffL, 0x1_0000_0000L,
            Long.MAX_VALUE, Long.MIN_VALUE, -1L};

    private Expected() {
    }

    /** The boundary values a field of maximum {@code max} (unsigned) can hold. */
    public static long[] boundariesUpTo(long max) {
        return LongStream.of(WIDTH_BOUNDARIES).filter(v -> Long.compareUnsigned(v, max) <= 0).toArray();
    }

    /** {@code s} as it reads after a UTF-8 round trip: each unpaired surrogate becomes {@code ?}. */
    public static String sanitized(String s) {
        return s == null ? null : new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    /**
     * The longest prefix of {@code s}, cut between code points, whose UTF-8 takes at most
     * {@code maxBytes}; an unpaired surrogate counts as the one-byte {@code ?} it is written as.
     */
    public static String truncated(String s, int maxBytes) {
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int cp : s.codePoints().toArray()) {
            String piece = sanitized(Character.toString(cp));
            int n = piece.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > maxBytes) {
                break;
            }
            bytes += n;
            out.append(piece);
        }
        return out.toString();
    }

    /** The {@code guest_comm} a decoder must return for {@code comm} as given to the encoder. */
    public static String comm(String comm) {
        return truncated(comm, Wire.MAX_COMM_BYTES);
    }

    /**
     * The {@code cmdline} a decoder must return for {@code cmdline} as given to the encoder: whole
     * if its UTF-8 fits 1,024 bytes, else cut to fit 1,021 and ended by the 3-byte {@code …}
     * (protocol.md §4).
     */
    public static String cmdline(String cmdline) {
        if (cmdline == null) {
            return null;
        }
        String whole = sanitized(cmdline);
        return whole.getBytes(StandardCharsets.UTF_8).length <= 1024 ? whole : truncated(cmdline, 1021) + "\u2026";
    }

    /**
     * The event a decoder must return for the frame the encoder makes of {@code e}: comm cut to
     * 16 bytes, cmdline cut to 1,024, texts sanitized, and a minor version of 0 raised to 1 when an extension key is
     * present (protocol.md §4).
     */
    public static ProbeEvent afterRoundTrip(ProbeEvent e) {
        Extensions x = e.extensions();
        Extensions y = new Extensions(x.droppedTotal(), x.parentPid(), x.exitCode(), sanitized(x.path()),
                sanitized(x.peer()), x.capability(), x.syscall(), sanitized(x.session()), sanitized(x.what()),
                cmdline(x.cmdline()), x.sha256(), sanitized(x.host()), sanitized(x.exe()),
                sanitized(x.socket()), sanitized(x.protocol()));
        int version = e.contentVersion();
        if (!x.isEmpty() && Wire.minor(version) == 0) {
            version = Wire.VERSION_1_1;
        }
        return new ProbeEvent(version, e.source(), e.guestPid(), comm(e.guestComm()), e.guestMonotonicNs(), y);
    }

    /**
     * {@code e} as the map a generic CBOR decoder should read from its frame, in the order an
     * encoder writes the keys; integers as {@link BigInteger}, so that u64 values above 2^63
     * compare exactly. {@code e} must already be as it comes out ({@link #afterRoundTrip}).
     */
    public static Map<String, Object> asMap(ProbeEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("content_version", big(e.contentVersion()));
        m.put("probe_source", e.source().wireName());
        m.put("guest_pid", big(e.guestPid()));
        m.put("guest_comm", e.guestComm());
        m.put("guest_monotonic_ns", big(e.guestMonotonicNs()));
        Extensions x = e.extensions();
        putIfPresent(m, Field.DROPPED_TOTAL, x.droppedTotal() == null ? null : big(x.droppedTotal()));
        putIfPresent(m, Field.PARENT_PID, x.parentPid() == null ? null : big(x.parentPid()));
        putIfPresent(m, Field.EXIT_CODE, x.exitCode() == null ? null : big(x.exitCode()));
        putIfPresent(m, Field.PATH, x.path());
        putIfPresent(m, Field.PEER, x.peer());
        putIfPresent(m, Field.CAPABILITY, x.capability() == null ? null : big(x.capability()));
        putIfPresent(m, Field.SYSCALL, x.syscall() == null ? null : big(x.syscall()));
        putIfPresent(m, Field.SESSION, x.session());
        putIfPresent(m, Field.WHAT, x.what());
        putIfPresent(m, Field.CMDLINE, x.cmdline());
        putIfPresent(m, Field.SHA256, x.sha256());
        putIfPresent(m, Field.HOST, x.host());
        putIfPresent(m, Field.EXE, x.exe());
        putIfPresent(m, Field.SOCKET, x.socket());
        putIfPresent(m, Field.PROTOCOL, x.protocol());
        return m;
    }

    /** The entries of {@code m} in its iteration order, as plain values that compare by content. */
    public static List<Map.Entry<String, Object>> entries(Map<String, ?> m) {
        return new ArrayList<>(m.entrySet().stream().map(e -> Map.<String, Object>entry(e.getKey(), e.getValue())).toList());
    }

    /** {@code v} read as an unsigned 64-bit value. */
    public static BigInteger big(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    private static void putIfPresent(Map<String, Object> m, Field f, Object v) {
        if (v != null) {
            m.put(f.wireName(), v);
        }
    }
}
