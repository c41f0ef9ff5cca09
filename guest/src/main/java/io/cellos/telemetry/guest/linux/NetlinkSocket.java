package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A non-blocking netlink socket ({@code AF_NETLINK}) and its receive buffer, with the framing of
 * {@code struct nlmsghdr}: 16 bytes of length, type, flags, sequence and port id, then the payload,
 * each message aligned to 4 bytes.
 *
 * <p>The socket is connected to the kernel (port 0): the kernel then refuses another process's
 * unicast to it ({@code ECONNREFUSED}, to the sender) — root may otherwise send to any netlink
 * port, found in {@code /proc/net/netlink}, to forge a record or fill the buffer so that the
 * kernel's own answers are dropped. What can still come from elsewhere is a multicast to a group
 * the socket joined: such a datagram is dropped unread and counted ({@link #foreign}).
 *
 * <p>Confined to one thread; owns its fd and native memory.
 */
public final class NetlinkSocket implements AutoCloseable {
    /** {@code NETLINK_AUDIT}. */
    public static final int NETLINK_AUDIT = 9;
    /** {@code NETLINK_CONNECTOR}. */
    public static final int NETLINK_CONNECTOR = 11;
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_ACK = 0x4;
    private static final Syscall RECVFROM = new Syscall("recvfrom");
    /** {@code sockaddr_nl.nl_pid}: 0 for the kernel. */
    private static final long SENDER_PORT_OFFSET = 4;

    private final Arena arena = Arena.ofConfined();
    private final Fd fd;
    private final MemorySegment buf;
    private final MemorySegment out;
    /** The sender of the last datagram, as {@code recvfrom} gives it, and its length. */
    private final MemorySegment sender = arena.allocate(SockAddr.SOCKADDR_NL);
    private final MemorySegment from = arena.allocate(JAVA_INT);
    private long foreign;
    private int lastForeignPort;

    /**
     * Opens a netlink socket, binds it and connects it to the kernel.
     *
     * @param protocol    {@link #NETLINK_AUDIT}, {@link #NETLINK_CONNECTOR}, ...
     * @param type        {@link SockAddr#SOCK_RAW} or {@link SockAddr#SOCK_DGRAM}
     * @param groups      the multicast groups to join at bind time (a bit mask), 0 for none
     * @param bufferBytes the receive buffer, in this process and (asked for) in the kernel
     */
    public NetlinkSocket(int protocol, int type, int groups, int bufferBytes, String what) throws ErrnoException {
        fd = new Fd((int) Libc.SOCKET.call(what, SockAddr.AF_NETLINK,
                type | SockAddr.SOCK_NONBLOCK | SockAddr.SOCK_CLOEXEC, protocol), what);
        try {
            MemorySegment size = arena.allocate(JAVA_INT);
            size.set(JAVA_INT, 0, bufferBytes);
            // FORCE lets root pass rmem_max; fall back to the capped size if it is refused
            if (Libc.SETSOCKOPT.callOrErrno(fd.get(), SockAddr.SOL_SOCKET, SockAddr.SO_RCVBUFFORCE, size, 4) < 0) {
                Libc.SETSOCKOPT.callOrErrno(fd.get(), SockAddr.SOL_SOCKET, SockAddr.SO_RCVBUF, size, 4);
            }
            MemorySegment addr = SockAddr.netlink(arena, 0, groups);
            Libc.BIND.call(what, fd.get(), addr, (int) SockAddr.SOCKADDR_NL.byteSize());
            // the kernel's port, no group: unicasts from other sockets are refused, multicasts still come
            Libc.CONNECT.call(what, fd.get(), SockAddr.netlink(arena, 0, 0), (int) SockAddr.SOCKADDR_NL.byteSize());
        } catch (ErrnoException e) {
            fd.close();
            arena.close();
            throw e;
        }
        buf = arena.allocate(bufferBytes, 8);
        out = arena.allocate(8192, 8);
    }

    public int fd() {
        return fd.get();
    }

    /** The receive buffer that {@link #receive} fills. */
    public MemorySegment buffer() {
        return buf;
    }

    /** A scratch buffer to build a request in, for {@link #send}. */
    public MemorySegment requestBuffer() {
        return out;
    }

    /**
     * Writes a {@code nlmsghdr} at the start of {@link #requestBuffer()} for a payload of
     * {@code payloadBytes} that the caller has put at offset {@link #NLMSG_HDRLEN}, and sends it to
     * the kernel.
     */
    public void send(int type, int flags, int seq, int payloadBytes) throws ErrnoException {
        int len = NLMSG_HDRLEN + payloadBytes;
        out.set(JAVA_INT, 0, len);
        out.set(JAVA_SHORT, 4, (short) type);
        out.set(JAVA_SHORT, 6, (short) flags);
        out.set(JAVA_INT, 8, seq);
        out.set(JAVA_INT, 12, 0);
        long n = Libc.sendNonBlocking(fd.get(), out, len);
        if (n < 0) {
            throw new ErrnoException("send(" + fd.what() + ")", (int) -n);
        }
    }

    /**
     * Reads one datagram into {@link #buffer()}.
     *
     * @return its length, 0 when nothing is waiting, or {@code -ENOBUFS} when the kernel dropped
     *         messages because this socket's buffer was full
     * @throws ErrnoException on any other failure
     */
    public long receive() throws ErrnoException {
        while (true) {
            from.set(JAVA_INT, 0, (int) SockAddr.SOCKADDR_NL.byteSize());
            long n = RECVFROM.invoke(fd.get(), Native.address(buf), buf.byteSize(), 0, Native.address(sender),
                    Native.address(from));
            if (n == -Errno.EAGAIN || n == -Errno.EINTR) {
                return 0;
            }
            if (n == -Errno.ENOBUFS) {
                return n;
            }
            if (n < 0) {
                throw new ErrnoException("recv(" + fd.what() + ")", (int) -n);
            }
            int port = sender.get(JAVA_INT, SENDER_PORT_OFFSET);
            if (port == 0) {
                return n;
            }
            // root may send to any netlink port: what does not come from the kernel is not the kernel's word
            foreign++;
            lastForeignPort = port;
        }
    }

    /**
     * Datagrams received from another process rather than the kernel, dropped unread, since the
     * socket was opened; {@link #lastForeignPort} says whose (a netlink port, by default the sender's pid).
     */
    public long foreign() {
        return foreign;
    }

    /** The netlink port of the last {@link #foreign} datagram. */
    public int lastForeignPort() {
        return lastForeignPort;
    }

    /** The length field of the message at {@code off} in the receive buffer. */
    public int messageLength(long off) {
        return buf.get(JAVA_INT, off);
    }

    /** The type field of the message at {@code off} in the receive buffer. */
    public int messageType(long off) {
        return buf.get(JAVA_SHORT, off + 4) & 0xffff;
    }

    /** The sequence field of the message at {@code off} in the receive buffer. */
    public int messageSeq(long off) {
        return buf.get(JAVA_INT, off + 8);
    }

    /** The offset of the message after the one at {@code off} (4-byte aligned). */
    public long next(long off) {
        return off + ((messageLength(off) + 3) & ~3);
    }

    /** Whether a whole message starts at {@code off} within the {@code length} bytes received. */
    public boolean hasMessage(long off, long length) {
        if (length - off < NLMSG_HDRLEN) {
            return false;
        }
        int len = messageLength(off);
        return len >= NLMSG_HDRLEN && off + len <= length;
    }

    @Override
    public void close() {
        fd.close();
        arena.close();
    }
}
