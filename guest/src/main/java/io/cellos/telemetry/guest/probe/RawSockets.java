package io.cellos.telemetry.guest.probe;

import static io.cellos.telemetry.guest.linux.PacketSocket.AF_PACKET;
import static io.cellos.telemetry.guest.linux.PeerAddress.AF_INET;
import static io.cellos.telemetry.guest.linux.PeerAddress.AF_INET6;
import static io.cellos.telemetry.guest.linux.SockAddr.SOCK_DGRAM;
import static io.cellos.telemetry.guest.linux.SockAddr.SOCK_RAW;

/**
 * The sockets {@code net.raw_socket_opened} declares, and the words of its {@code socket} key
 * (protocol.md §4), alike for every mechanism: a raw IPv4 or IPv6 socket ({@code SOCK_RAW}),
 * which can forge any packet of its protocol (a hand-made TCP SYN that no connect declares), and
 * every {@code AF_PACKET} socket, which sees and sends whole frames. Both take
 * {@code CAP_NET_RAW}.
 *
 * <p>{@code socket} is {@code FAMILY TYPE PROTOCOL}, single spaces between:
 * <ul>
 *   <li>{@code FAMILY}: {@code inet}, {@code inet6}, {@code packet};</li>
 *   <li>{@code TYPE}: {@code raw}, {@code dgram}, or {@code packet} (the old {@code SOCK_PACKET}),
 *       without the {@code SOCK_NONBLOCK} and {@code SOCK_CLOEXEC} flags;</li>
 *   <li>{@code PROTOCOL}: for {@code inet} and {@code inet6}, the IP protocol number in decimal
 *       ({@code 6} TCP, {@code 1} ICMP, {@code 255} {@code IPPROTO_RAW}); for {@code packet}, the
 *       EtherType, as {@code 0x} and four lowercase hex digits in host order ({@code 0x0003}
 *       {@code ETH_P_ALL}, {@code 0x0800} IPv4, {@code 0x0000} none until a {@code bind}).</li>
 * </ul>
 * When the mechanism knows only which kernel function created the socket (a socket made through
 * io_uring under eBPF), the words it does not know are left out: {@code inet raw},
 * {@code inet6 raw}, {@code packet}.
 */
public final class RawSockets {
    /** {@code SOCK_PACKET}: the old packet interface, an {@code AF_PACKET} type. */
    public static final int SOCK_PACKET = 10;
    /** {@code SOCK_TYPE_MASK}: the type without its flags. */
    private static final int TYPE_MASK = 0xf;

    private RawSockets() {
    }

    /** Whether {@code socket(family, type, ...)} makes a socket this source declares. */
    public static boolean declared(long family, long type) {
        long t = type & TYPE_MASK;
        return family == AF_PACKET || (family == AF_INET || family == AF_INET6) && t == SOCK_RAW;
    }

    /**
     * The {@code socket} words for {@code socket(family, type, protocol)}, the arguments as the
     * call received them (an {@code int} each; higher bits are ignored).
     *
     * @throws IllegalArgumentException if the call makes no socket this source {@linkplain #declared declares}
     */
    public static String describe(long family, long type, long protocol) {
        if (!declared(family, type)) {
            throw new IllegalArgumentException("socket(" + family + ", " + type + ", " + protocol
                    + ") is neither a raw IP socket nor a packet socket");
        }
        int f = (int) family;
        String typeWord = switch ((int) type & TYPE_MASK) {
            case SOCK_RAW -> "raw";
            case SOCK_DGRAM -> "dgram";
            case SOCK_PACKET -> "packet";
            default -> "type" + ((int) type & TYPE_MASK);
        };
        String protocolWord = f == AF_PACKET
                ? String.format("0x%04x", Short.reverseBytes((short) protocol) & 0xffff) // network order on the call
                : Integer.toString((int) protocol);
        return familyWord(f) + " " + typeWord + " " + protocolWord;
    }

    /**
     * The {@code socket} words when only the family is known: {@code inet raw}, {@code inet6 raw}
     * (a raw socket is all that needs the capability there) or {@code packet}.
     *
     * @throws IllegalArgumentException for another family
     */
    public static String describe(int family) {
        return switch (family) {
            case AF_INET, AF_INET6 -> familyWord(family) + " raw";
            case AF_PACKET -> familyWord(family);
            default -> throw new IllegalArgumentException("family " + family + " makes no raw or packet socket");
        };
    }

    private static String familyWord(int family) {
        return switch (family) {
            case AF_INET -> "inet";
            case AF_INET6 -> "inet6";
            case AF_PACKET -> "packet";
            default -> throw new IllegalArgumentException("family " + family + " makes no raw or packet socket");
        };
    }
}
