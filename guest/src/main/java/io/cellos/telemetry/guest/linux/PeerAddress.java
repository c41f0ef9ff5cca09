package io.cellos.telemetry.guest.linux;

import java.nio.charset.StandardCharsets;

/**
 * The text protocol.md gives a connection's peer, made from the raw bytes of a
 * {@code struct sockaddr_in} or {@code struct sockaddr_in6}: {@code 127.0.0.1:8080},
 * {@code [2001:db8::1]:443}; and from a {@code struct sockaddr_un}, {@code unix:/run/x.sock} or
 * {@code unix:@name} ({@link #appendUnix}).
 *
 * <p>IPv6 addresses are written as RFC 5952 says (lower-case hex, no leading zeros, the longest run
 * of two or more zero groups as {@code ::}), with {@code %scope} when the address has a scope id.
 * An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is written as the IPv4 address it maps,
 * because that is the host a dual-stack socket reaches with it.
 *
 * <p>Stateless; allocates nothing but what the caller's builder needs (and a UNIX path's string).
 */
public final class PeerAddress {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    private static final int SOCKADDR_IN_BYTES = 16;
    /** {@code offsetof(struct sockaddr_un, sun_path)}. */
    private static final int SUN_PATH = 2;
    private static final int SOCKADDR_IN6_BYTES = 28;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PeerAddress() {
    }

    /** The address family of the {@code len} bytes of {@code sa} ({@code sa_family}, host order), or -1 if too short. */
    public static int family(byte[] sa, int len) {
        return len < 2 ? -1 : (sa[0] & 0xff) | (sa[1] & 0xff) << 8;
    }

    /**
     * Appends the peer that the first {@code len} bytes of {@code sa} name.
     *
     * @return false, appending nothing, if they are not a whole {@code AF_INET} or {@code AF_INET6} address
     */
    public static boolean append(byte[] sa, int len, StringBuilder out) {
        int family = family(sa, len);
        int port = len >= 4 ? (sa[2] & 0xff) << 8 | (sa[3] & 0xff) : 0;
        if (family == AF_INET && len >= SOCKADDR_IN_BYTES) {
            appendIpv4(sa, 4, out);
        } else if (family == AF_INET6 && len >= SOCKADDR_IN6_BYTES) {
            if (isIpv4Mapped(sa, 8)) {
                appendIpv4(sa, 20, out);
            } else {
                out.append('[');
                appendIpv6(sa, 8, out);
                long scope = u32le(sa, 24);
                if (scope != 0) {
                    out.append('%').append(scope);
                }
                out.append(']');
            }
        } else {
            return false;
        }
        out.append(':').append(port);
        return true;
    }

    /**
     * Appends the UNIX-domain peer the first {@code len} bytes of {@code sa} (a {@code struct
     * sockaddr_un}) name, as protocol.md writes it: {@code unix:PATH}, up to the path's first NUL, or
     * {@code unix:@NAME} for an abstract name (a first byte 0; the name is the {@code len - 3} bytes
     * after it, as the kernel takes it).
     *
     * @return false, appending nothing, if they are not an {@code AF_UNIX} address with a name
     */
    public static boolean appendUnix(byte[] sa, int len, StringBuilder out) {
        if (family(sa, len) != AF_UNIX || len <= SUN_PATH) {
            return false;
        }
        out.append("unix:");
        int from = SUN_PATH;
        int to = from;
        if (sa[from] == 0) {
            out.append('@');
            from++;
            to = len;
        } else {
            while (to < len && sa[to] != 0) {
                to++;
            }
        }
        out.append(new String(sa, from, to - from, StandardCharsets.UTF_8));
        return true;
    }

    /**
     * Appends the address of {@code length} bytes (4: IPv4, 16: IPv6) at {@code at} in {@code b}
     * exactly as {@link #append} writes it in a peer, without brackets, scope or port: an
     * IPv4-mapped IPv6 address as the IPv4 address it maps.
     *
     * @return false, appending nothing, if {@code length} is neither 4 nor 16 or the bytes are not all in {@code b}
     */
    public static boolean appendIp(byte[] b, int at, int length, StringBuilder out) {
        if (at < 0 || at > b.length - length) {
            return false;
        }
        if (length == 4) {
            appendIpv4(b, at, out);
        } else if (length == 16) {
            if (isIpv4Mapped(b, at)) {
                appendIpv4(b, at + 12, out);
            } else {
                appendIpv6(b, at, out);
            }
        } else {
            return false;
        }
        return true;
    }

    private static void appendIpv4(byte[] b, int at, StringBuilder out) {
        out.append(b[at] & 0xff).append('.').append(b[at + 1] & 0xff).append('.')
                .append(b[at + 2] & 0xff).append('.').append(b[at + 3] & 0xff);
    }

    private static boolean isIpv4Mapped(byte[] b, int at) {
        for (int i = 0; i < 10; i++) {
            if (b[at + i] != 0) {
                return false;
            }
        }
        return b[at + 10] == (byte) 0xff && b[at + 11] == (byte) 0xff;
    }

    private static void appendIpv6(byte[] b, int at, StringBuilder out) {
        // RFC 5952 §4.2: shorten the longest run of at least two zero groups, the first if runs tie
        int bestStart = -1;
        int bestLen = 1;
        for (int g = 0; g < 8; ) {
            if (group(b, at, g) != 0) {
                g++;
                continue;
            }
            int start = g;
            while (g < 8 && group(b, at, g) == 0) {
                g++;
            }
            if (g - start > bestLen) {
                bestStart = start;
                bestLen = g - start;
            }
        }
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                out.append("::");
                g += bestLen - 1;
                continue;
            }
            if (g > 0 && g != bestStart + bestLen) {
                out.append(':');
            }
            appendHex(group(b, at, g), out);
        }
    }

    private static int group(byte[] b, int at, int g) {
        return (b[at + 2 * g] & 0xff) << 8 | (b[at + 2 * g + 1] & 0xff);
    }

    private static void appendHex(int v, StringBuilder out) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int d = v >>> shift & 0xf;
            if (d != 0 || started || shift == 0) {
                out.append(HEX[d]);
                started = true;
            }
        }
    }

    private static long u32le(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }
}
