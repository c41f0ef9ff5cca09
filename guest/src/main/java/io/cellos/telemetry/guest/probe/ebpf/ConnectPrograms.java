package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Bpf;
import io.cellos.telemetry.guest.linux.BpfHelper;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.EbpfProgram.Size;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.PeerAddress;

import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.EQ;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.GT;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.NE;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R1;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R10;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R3;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R4;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R6;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R7;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R9;

/**
 * The cgroup socket-address programs of the eBPF connect probe ({@code BPF_PROG_TYPE_CGROUP_SOCK_ADDR}),
 * and the record they write. The kernel runs them, in the calling process, before it acts on an
 * address a process gave it:
 * <ul>
 * <li>{@link #connect} on {@code BPF_CGROUP_INET4_CONNECT} and {@code INET6_CONNECT}: every TCP or UDP
 *     {@code connect} of an {@code AF_INET} or {@code AF_INET6} socket, whichever way it is made
 *     ({@code connect(2)}, io_uring's {@code IORING_OP_CONNECT}, a TCP Fast Open {@code sendto} with
 *     {@code MSG_FASTOPEN}: all reach the protocol's {@code pre_connect});
 * <li>{@link #datagram} on {@code BPF_CGROUP_UDP4_SENDMSG} and {@code UDP6_SENDMSG}: a UDP
 *     {@code sendto}/{@code sendmsg}/{@code sendmmsg} that names its destination. Only the first
 *     datagram a socket sends to an address and port is recorded: each program adds
 *     {@code (socket cookie, address, port, family)} to an LRU hash map with {@code BPF_NOEXIST}
 *     and goes on only if the key was new. A socket's cookie is never reused on a boot, so an entry
 *     of a closed socket only waits to be evicted; an evicted entry makes the next datagram of that
 *     pair recorded again (a repeat, never a miss). {@code BPF_MAP_TYPE_SK_STORAGE}, freed with the
 *     socket, would hold one destination per socket without a table of them, which a DNS client
 *     sending to several servers on one socket needs;
 * <li>{@link #unix} on {@code BPF_CGROUP_UNIX_CONNECT} and {@code UNIX_SENDMSG} (Linux 6.7): the same
 *     for UNIX-domain sockets, the address read from the kernel's copy, deduplicated per socket and
 *     address in a map of its own.
 * </ul>
 * Each program ignores an address whose family is not its hook's (the kernel refuses that call
 * anyway), counts the event seen, reserves a record (or counts it lost), fills and submits it, and
 * returns 1: the call goes ahead. Nothing here ever refuses a call.
 *
 * <p>Record, little-endian, {@value #RECORD_BYTES} bytes: the {@link RecordHeader} (kind
 * {@link #CONNECT} or {@link #DATAGRAM}; pid the calling process; comm the calling thread's name), then:
 * <pre>
 *  32  the destination as a struct sockaddr_in or sockaddr_in6 ({@value #SOCKADDR_BYTES} bytes):
 *      u16 family, be16 port, then AF_INET: be32 address, 8 zero bytes;
 *      AF_INET6: u32 flowinfo 0, u8 address[16], u32 scope_id 0
 *  60  u32  protocol   the socket's IP protocol ({@code struct bpf_sock_addr}'s: 6 TCP, 17 UDP)
 * </pre>
 * A UNIX record ({@link #UNIX_CONNECT}, {@link #UNIX_DATAGRAM}; {@value #UNIX_RECORD_BYTES} bytes) has
 * the same first 32 bytes, then:
 * <pre>
 *  32  s32  length     the address's length as the caller gave it, or -errno if it could not be read
 *  36  struct sockaddr_un ({@value #SUN_BYTES} bytes): u16 family, char path[108]; the bytes past
 *      length are whatever the kernel's buffer held
 * </pre>
 * The address is {@code struct bpf_sock_addr}'s copy of the caller's: {@code user_family}, {@code user_port},
 * {@code user_ip4} or {@code user_ip6}. It has no scope id, so a link-local IPv6 peer is written
 * without {@code %scope}. An IPv4-mapped IPv6 destination comes as the caller gave it (the formatter
 * writes the IPv4 address), except that a UDP datagram to one is handed by the kernel to the IPv4
 * hook as {@code AF_INET}.
 */
final class ConnectPrograms {
    static final int CONNECT = 1;
    static final int DATAGRAM = 2;
    static final int SOCKADDR = RecordHeader.BYTES;
    static final int SOCKADDR_BYTES = 28;
    static final int PROTOCOL = SOCKADDR + SOCKADDR_BYTES;
    static final int RECORD_BYTES = 64;
    static final int UNIX_CONNECT = 3;
    static final int UNIX_DATAGRAM = 4;
    /** A UNIX record's {@code s32}: the address's length as the caller gave it, or the {@code -errno} of reading it. */
    static final int UNIX_LENGTH = RecordHeader.BYTES;
    static final int SUN = 36;
    /** {@code sizeof(struct sockaddr_un)}. */
    static final int SUN_BYTES = 110;
    static final int UNIX_RECORD_BYTES = 152;
    /** The UNIX dedup map's key: {@code u64 cookie}, then the address as given, zero-padded to 112 bytes. */
    static final int UNIX_SEEN_KEY_BYTES = 120;
    /** The dedup map's key: {@code u64 cookie, u8 address[16], u32 port, u32 family}. */
    static final int SEEN_KEY_BYTES = 32;
    /** The dedup map's value: unused, the smallest a hash map takes. */
    static final int SEEN_VALUE_BYTES = 4;

    // struct bpf_sock_addr, <linux/bpf.h>
    private static final int USER_FAMILY = 0;
    private static final int USER_IP4 = 4;
    private static final int USER_IP6 = 8;
    private static final int USER_PORT = 24;
    /** {@code struct bpf_sock_addr.protocol}: the socket's, read-only. */
    private static final int CTX_PROTOCOL = 36;
    // struct bpf_sock_addr_kern, include/linux/filter.h: the context as the kernel holds it
    private static final int KERN_UADDR = 8;
    private static final int KERN_UADDRLEN = 32;
    /** The program's verdict: go ahead. */
    private static final int ALLOW = 1;
    private static final String OUT = "out";
    /** Stack: the dedup key at {@code r10 - 40} up to {@code r10 - 8}, its value at {@code r10 - 48}. */
    private static final int KEY = -40;
    private static final int VALUE = -48;
    /** Stack of a UNIX program: the dedup key at {@code r10 - 128} up to {@code r10 - 8}, the address's length, the value. */
    private static final int UNIX_KEY = -128;
    private static final int UNIX_LEN = -136;
    private static final int UNIX_VALUE = -144;

    private final CountedRing ring;
    private final int seenDestinations;
    private int seenUnixDestinations = -1;
    private int castToKernelContext = -1;

    /**
     * @param ring             where records go
     * @param seenDestinations the dedup map's fd: an LRU hash of {@value #SEEN_KEY_BYTES}-byte keys
     *                         and {@value #SEEN_VALUE_BYTES}-byte values
     */
    ConnectPrograms(CountedRing ring, int seenDestinations) {
        this.ring = ring;
        this.seenDestinations = seenDestinations;
    }

    /**
     * Enables {@link #unix}: {@code castToKernelContext} is the BTF id of the kfunc
     * {@code bpf_cast_to_kern_ctx}, {@code seenUnixDestinations} the fd of an LRU hash of
     * {@value #UNIX_SEEN_KEY_BYTES}-byte keys and {@value #SEEN_VALUE_BYTES}-byte values.
     */
    void unixAddresses(int castToKernelContext, int seenUnixDestinations) {
        this.castToKernelContext = castToKernelContext;
        this.seenUnixDestinations = seenUnixDestinations;
    }

    /**
     * On a UNIX-domain connect ({@code BPF_CGROUP_UNIX_CONNECT}, stream, seqpacket or datagram) or,
     * with {@code datagram}, a datagram sent to an address ({@code BPF_CGROUP_UNIX_SENDMSG}, the first
     * per socket and address). The context has no field for a UNIX address: the program takes the
     * kernel's view of it ({@code bpf_cast_to_kern_ctx}) and copies the {@code struct sockaddr_un}
     * the kernel holds ({@code uaddr}, {@code uaddrlen}) with {@code bpf_probe_read_kernel}.
     */
    EbpfProgram unix(boolean datagram) {
        EbpfProgram p = new EbpfProgram()
                .mov(R6, R1)                                                  // r6 = struct bpf_sock_addr
                .callKernelFunction(castToKernelContext)                      // r0 = struct bpf_sock_addr_kern *
                .load(Size.DW, R9, R0, KERN_UADDR)                            // r9 = the kernel's copy of the address
                .load(Size.W, R1, R0, KERN_UADDRLEN)
                .store(Size.W, R10, UNIX_LEN, R1);                            // its length as given
        if (datagram) {
            for (int at = UNIX_KEY; at < UNIX_KEY + UNIX_SEEN_KEY_BYTES; at += 8) {
                p.storeImm(Size.DW, R10, at, 0);                              // the key, zeroed past the address
            }
            p.mov(R1, R6)
                    .call(BpfHelper.GET_SOCKET_COOKIE)
                    .store(Size.DW, R10, UNIX_KEY, R0)                        // key.cookie
                    .load(Size.W, R2, R10, UNIX_LEN)
                    .jumpIf(R2, GT, SUN_BYTES, OUT)                           // longer than a sockaddr_un: refused anyway
                    .mov(R1, R10)
                    .addImm(R1, UNIX_KEY + 8)
                    .mov(R3, R9)
                    .call(BpfHelper.PROBE_READ_KERNEL)                        // key.address = the address's bytes
                    .storeImm(Size.W, R10, UNIX_VALUE, 0)
                    .loadMapFd(R1, seenUnixDestinations)
                    .mov(R2, R10)
                    .addImm(R2, UNIX_KEY)
                    .mov(R3, R10)
                    .addImm(R3, UNIX_VALUE)
                    .movImm(R4, Bpf.MAP_UPDATE_NOEXIST)
                    .call(BpfHelper.MAP_UPDATE_ELEM)
                    .jumpIf(R0, EQ, -Errno.EEXIST, OUT);                      // this socket sent there before
        }
        ring.reserve(p, datagram ? UNIX_DATAGRAM : UNIX_CONNECT, UNIX_RECORD_BYTES, OUT);
        p.mov(R1, R7)
                .addImm(R1, SUN)
                .movImm(R2, SUN_BYTES)
                .mov(R3, R9)
                .call(BpfHelper.PROBE_READ_KERNEL)                            // sun = the whole sockaddr_un
                .jumpIf(R0, EQ, 0, "copied")
                .store(Size.W, R7, UNIX_LENGTH, R0)                           // length = -errno: not read
                .jump("stored")
                .label("copied")
                .load(Size.W, R1, R10, UNIX_LEN)
                .store(Size.W, R7, UNIX_LENGTH, R1)
                .label("stored");
        return ring.submit(p, OUT, ALLOW);
    }

    /** The attach type of the connect hook of {@code family}. */
    static int connectHook(int family) {
        return family == PeerAddress.AF_INET ? Bpf.ATTACH_CGROUP_INET4_CONNECT : Bpf.ATTACH_CGROUP_INET6_CONNECT;
    }

    /** The attach type of the UDP send hook of {@code family}. */
    static int datagramHook(int family) {
        return family == PeerAddress.AF_INET ? Bpf.ATTACH_CGROUP_UDP4_SENDMSG : Bpf.ATTACH_CGROUP_UDP6_SENDMSG;
    }

    /** On a connect of an {@code family} socket ({@link PeerAddress#AF_INET} or {@code AF_INET6}). */
    EbpfProgram connect(int family) {
        EbpfProgram p = start(family);
        return record(p, CONNECT, family);
    }

    /** On a UDP datagram of an {@code family} socket to an address: the first per socket and destination. */
    EbpfProgram datagram(int family) {
        EbpfProgram p = start(family)
                .mov(R1, R6)
                .call(BpfHelper.GET_SOCKET_COOKIE)                            // r0 = the socket's cookie
                .store(Size.DW, R10, KEY, R0);                                // key.cookie
        copyAddress(p, R10, KEY + 8, family);                                 // key.address
        p.load(Size.W, R1, R6, USER_PORT)
                .store(Size.W, R10, KEY + 24, R1)                             // key.port
                .storeImm(Size.W, R10, KEY + 28, family)                      // key.family
                .storeImm(Size.W, R10, VALUE, 0)
                .loadMapFd(R1, seenDestinations)
                .mov(R2, R10)
                .addImm(R2, KEY)
                .mov(R3, R10)
                .addImm(R3, VALUE)
                .movImm(R4, Bpf.MAP_UPDATE_NOEXIST)
                .call(BpfHelper.MAP_UPDATE_ELEM)                              // add it if it is new
                .jumpIf(R0, EQ, -Errno.EEXIST, OUT);                          // this socket sent there before
        return record(p, DATAGRAM, family);
    }

    /** {@code r6 = ctx}; leaves unless the address is of {@code family}. */
    private static EbpfProgram start(int family) {
        return new EbpfProgram()
                .mov(R6, R1)                                                  // r6 = struct bpf_sock_addr
                .load(Size.W, R1, R6, USER_FAMILY)
                .jumpIf(R1, NE, family, OUT);                                 // not this hook's family: refused anyway
    }

    /** Reserves, fills and submits the record; then {@code out:} allows the call. */
    private EbpfProgram record(EbpfProgram p, int kind, int family) {
        ring.reserve(p, kind, RECORD_BYTES, OUT);
        p.load(Size.W, R1, R6, USER_FAMILY)
                .store(Size.H, R7, SOCKADDR, R1)                              // sa_family
                .load(Size.W, R1, R6, USER_PORT)                              // the port's two bytes in network order, low in the word
                .store(Size.H, R7, SOCKADDR + 2, R1);                         // sin_port / sin6_port
        if (family == PeerAddress.AF_INET) {
            p.load(Size.W, R1, R6, USER_IP4)
                    .store(Size.W, R7, SOCKADDR + 4, R1)                      // sin_addr
                    .storeImm(Size.DW, R7, SOCKADDR + 8, 0)                   // sin_zero
                    .storeImm(Size.DW, R7, SOCKADDR + 16, 0)
                    .storeImm(Size.W, R7, SOCKADDR + 24, 0);
        } else {
            p.storeImm(Size.W, R7, SOCKADDR + 4, 0);                          // sin6_flowinfo
            copyAddress(p, R7, SOCKADDR + 8, family);                         // sin6_addr
            p.storeImm(Size.W, R7, SOCKADDR + 24, 0);                         // sin6_scope_id: not in the context
        }
        p.load(Size.W, R1, R6, CTX_PROTOCOL)
                .store(Size.W, R7, PROTOCOL, R1);                             // protocol: TCP, or UDP
        return ring.submit(p, OUT, ALLOW);
    }

    /** Copies the context's address into the 16 bytes at {@code base + at} (8-aligned): an IPv4 one zero-padded. */
    private static void copyAddress(EbpfProgram p, int base, int at, int family) {
        if (family == PeerAddress.AF_INET) {
            p.load(Size.W, R1, R6, USER_IP4)
                    .store(Size.W, base, at, R1)
                    .storeImm(Size.W, base, at + 4, 0)
                    .storeImm(Size.DW, base, at + 8, 0);
            return;
        }
        for (int i = 0; i < 16; i += 4) {
            p.load(Size.W, R1, R6, USER_IP6 + i)
                    .store(Size.W, base, at + i, R1);
        }
    }
}
