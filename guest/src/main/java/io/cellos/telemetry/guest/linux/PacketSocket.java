package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A non-blocking {@code AF_PACKET} {@code SOCK_DGRAM} socket on every interface of the caller's
 * network namespace ({@code ETH_P_ALL}), with a classic BPF filter attached before it receives
 * anything: each packet is read from its network header on, with the link-level protocol and the
 * packet type {@code recvfrom} reports in its {@code struct sockaddr_ll}.
 *
 * <p>The socket is made with protocol 0 (which receives nothing), given its filter and options,
 * and only then bound to {@code ETH_P_ALL}: no packet reaches it unfiltered.
 * {@code PACKET_IGNORE_OUTGOING} (Linux 4.20) is asked for when the caller wants it: the kernel
 * then neither copies nor filters packets the machine sends, and a packet on {@code lo}, which the
 * kernel shows a packet socket once leaving and once arriving, is seen once, arriving.
 * {@link #ignoresOutgoing()} says whether the kernel took it; where it did not, the caller skips
 * {@link #PACKET_OUTGOING} packets itself.
 *
 * <p>Needs {@code CAP_NET_RAW}. Confined to one thread; owns its fd and native memory.
 */
public final class PacketSocket implements AutoCloseable {
    public static final int AF_PACKET = 17;
    public static final int ETH_P_ALL = 0x0003;
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_IPV6 = 0x86dd;
    /** {@code sll_pkttype} of a packet the machine sends. */
    public static final int PACKET_OUTGOING = 4;
    private static final int SOL_PACKET = 263;
    private static final int PACKET_STATISTICS = 6;
    private static final int PACKET_IGNORE_OUTGOING = 23;
    private static final int SO_ATTACH_FILTER = 26;
    /** {@code sizeof(struct sockaddr_ll)}. */
    private static final int SOCKADDR_LL_BYTES = 20;
    private static final int MSG_TRUNC = 0x20;
    private static final Syscall RECVFROM = new Syscall("recvfrom");

    private final Arena arena = Arena.ofConfined();
    private final Fd fd;
    private final boolean ignoresOutgoing;
    private final MemorySegment buf;
    private final MemorySegment from = arena.allocate(SOCKADDR_LL_BYTES, 4);
    private final MemorySegment fromLen = arena.allocate(JAVA_INT);
    private final MemorySegment stats = arena.allocate(8, 4);
    private final MemorySegment statsLen = arena.allocate(JAVA_INT);
    private int protocol;
    private int packetType;
    private int length;

    /**
     * @param filter          accepts the packets to read (returns how many bytes of each to keep)
     * @param ignoreOutgoing  asks the kernel not to show packets the machine sends
     * @param bufferBytes     the socket's receive buffer in the kernel (asked for; root may pass {@code rmem_max})
     * @param maxPacketBytes  the most of a packet read; a longer one is cut ({@link #length} says its whole length)
     * @param what            names the socket in errors
     * @throws ErrnoException naming the call that failed
     */
    public PacketSocket(BpfProgram filter, boolean ignoreOutgoing, int bufferBytes, int maxPacketBytes, String what)
            throws ErrnoException {
        fd = new Fd((int) Libc.SOCKET.call(what, AF_PACKET,
                SockAddr.SOCK_DGRAM | SockAddr.SOCK_NONBLOCK | SockAddr.SOCK_CLOEXEC, 0), what);
        boolean ignoring = false;
        try {
            MemorySegment program = filter.encode(arena);
            Libc.SETSOCKOPT.call(what + ": SO_ATTACH_FILTER", fd.get(), SockAddr.SOL_SOCKET, SO_ATTACH_FILTER,
                    BpfProgram.fprog(arena, program), 16);
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, bufferBytes);
            if (Libc.SETSOCKOPT.callOrErrno(fd.get(), SockAddr.SOL_SOCKET, SockAddr.SO_RCVBUFFORCE, v, 4) < 0) {
                Libc.SETSOCKOPT.callOrErrno(fd.get(), SockAddr.SOL_SOCKET, SockAddr.SO_RCVBUF, v, 4);
            }
            if (ignoreOutgoing) {
                v.set(JAVA_INT, 0, 1);
                ignoring = Libc.SETSOCKOPT.callOrErrno(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, v, 4) == 0;
            }
            MemorySegment ll = arena.allocate(SOCKADDR_LL_BYTES, 4);
            ll.set(JAVA_SHORT, 0, (short) AF_PACKET);
            ll.set(JAVA_SHORT, 2, Short.reverseBytes((short) ETH_P_ALL)); // network order
            // sll_ifindex 0: every interface
            Libc.BIND.call(what + ": ETH_P_ALL", fd.get(), ll, SOCKADDR_LL_BYTES);
        } catch (ErrnoException | RuntimeException e) {
            fd.close();
            arena.close();
            throw e;
        }
        this.ignoresOutgoing = ignoring;
        this.buf = arena.allocate(maxPacketBytes, 8);
    }

    public int fd() {
        return fd.get();
    }

    /** Whether the kernel took {@code PACKET_IGNORE_OUTGOING}. */
    public boolean ignoresOutgoing() {
        return ignoresOutgoing;
    }

    /** Where {@link #receive} puts a packet, from its network header on. */
    public MemorySegment buffer() {
        return buf;
    }

    /**
     * Reads one packet into {@link #buffer()}, allocating nothing.
     *
     * @return the bytes read (at most the buffer's size), or 0 when nothing is waiting
     * @throws ErrnoException on a failure other than {@code EAGAIN}/{@code EINTR}
     */
    public int receive() throws ErrnoException {
        while (true) {
            fromLen.set(JAVA_INT, 0, SOCKADDR_LL_BYTES);
            long n = RECVFROM.invoke(fd.get(), Native.address(buf), buf.byteSize(), MSG_TRUNC, Native.address(from),
                    Native.address(fromLen));
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n == -Errno.EAGAIN) {
                return 0;
            }
            if (n < 0) {
                throw new ErrnoException("recvfrom(" + fd.what() + ")", (int) -n);
            }
            length = (int) Math.min(n, Integer.MAX_VALUE);
            protocol = Short.toUnsignedInt(Short.reverseBytes(from.get(JAVA_SHORT, 2)));
            packetType = Byte.toUnsignedInt(from.get(JAVA_BYTE, 10));
            return (int) Math.min(n, buf.byteSize());
        }
    }

    /** The last packet's whole length, which may exceed what {@link #receive} read of it. */
    public int length() {
        return length;
    }

    /** The last packet's link-level protocol, host order ({@link #ETH_P_IP}, {@link #ETH_P_IPV6}, ...). */
    public int protocol() {
        return protocol;
    }

    /** The last packet's {@code sll_pkttype} ({@link #PACKET_OUTGOING}, 0 for one to this host, ...). */
    public int packetType() {
        return packetType;
    }

    /**
     * The packets the kernel dropped for want of room in this socket's buffer since the last call
     * ({@code PACKET_STATISTICS}, which resets the kernel's counts).
     */
    public long takeDrops() throws ErrnoException {
        statsLen.set(JAVA_INT, 0, 8);
        Libc.GETSOCKOPT.call(fd.what() + ": PACKET_STATISTICS", fd.get(), SOL_PACKET, PACKET_STATISTICS, stats,
                statsLen);
        return Integer.toUnsignedLong(stats.get(JAVA_INT, 4));
    }

    @Override
    public void close() {
        fd.close();
        arena.close();
    }
}
