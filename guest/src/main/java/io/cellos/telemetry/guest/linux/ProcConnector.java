package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A subscription to the kernel's process events connector ({@code <linux/connector.h>},
 * {@code <linux/cn_proc.h>}): a {@code NETLINK_CONNECTOR} datagram socket in multicast group
 * {@code CN_IDX_PROC}, and the layout of the messages it receives. Each datagram holds one netlink
 * message:
 * <pre>
 *   0  struct nlmsghdr       16 bytes, type NLMSG_DONE
 *  16  struct cn_msg:
 *  16    u32 id.idx           CN_IDX_PROC (1)
 *  20    u32 id.val           CN_VAL_PROC (1)
 *  24    u32 seq              the sending CPU's own event counter: consecutive per CPU
 *  28    u32 ack              0 for an event; a request's ack + 1 for its acknowledgement
 *  32    u16 len              bytes of proc_event that follow
 *  34    u16 flags
 *  36  struct proc_event:
 *  36    u32 what             PROC_EVENT_*
 *  40    u32 cpu              the CPU whose counter {@code seq} comes from
 *  44    u64 timestamp_ns     ktime_get_ns(): CLOCK_MONOTONIC (8-aligned in the kernel, not here)
 *  52    event_data           u32 words; see the accessors
 * </pre>
 *
 * <p>Events flow only from the initial PID and user namespaces: the kernel silently ignores a
 * subscription from anywhere else, which is why {@link #listen} insists on the acknowledgement.
 *
 * <p>Confined to one thread; owns its socket and native memory.
 */
public final class ProcConnector implements AutoCloseable {
    public static final int PROC_EVENT_NONE = 0;
    public static final int PROC_EVENT_FORK = 0x1;
    public static final int PROC_EVENT_EXEC = 0x2;
    public static final int PROC_EVENT_COMM = 0x200;
    public static final int PROC_EVENT_EXIT = 0x80000000;

    private static final int CN_IDX_PROC = 1;
    private static final int CN_VAL_PROC = 1;
    private static final int PROC_CN_MCAST_LISTEN = 1;
    private static final int PROC_CN_MCAST_IGNORE = 2;
    private static final int CN_MSG_BYTES = 20;
    /** {@code sizeof(struct proc_event)}: the largest member of its union is 24 bytes. */
    private static final int PROC_EVENT_BYTES = 40;
    private static final int CN = NetlinkSocket.NLMSG_HDRLEN;
    private static final int EVENT = CN + CN_MSG_BYTES;
    private static final int DATA = EVENT + 16;
    private static final int TASK_COMM_LEN = 16;
    /** How often {@link #listen} asks, and how long it waits each time for the answer. */
    private static final int LISTEN_ATTEMPTS = 3;
    private static final int ACK_WAIT_MILLIS = 100;

    private final NetlinkSocket socket;
    private final MemorySegment buf;
    private final byte[] comm = new byte[TASK_COMM_LEN];
    /** Whether a LISTEN went out; {@link #close} then says IGNORE (harmless if it was never counted). */
    private boolean asked;

    /**
     * Opens the socket and joins the {@code CN_IDX_PROC} group; nothing arrives until
     * {@link #listen}.
     *
     * @param receiveBufferBytes the kernel's receive buffer for this socket (and the buffer a
     *                           datagram is read into): how many events can wait before the kernel
     *                           drops them and reports {@code ENOBUFS}
     * @throws ErrnoException naming {@code socket} (no connector in this kernel or network
     *                        namespace) or {@code bind} (not allowed to join the group)
     */
    public ProcConnector(int receiveBufferBytes) throws ErrnoException {
        socket = new NetlinkSocket(NetlinkSocket.NETLINK_CONNECTOR, SockAddr.SOCK_DGRAM, 1 << (CN_IDX_PROC - 1),
                receiveBufferBytes, "netlink proc connector");
        buf = socket.buffer();
    }

    public int fd() {
        return socket.fd();
    }

    /**
     * Sends {@code PROC_CN_MCAST_LISTEN} and waits for the kernel's acknowledgement, discarding
     * the events that arrive before it: they happened before the subscription was in force.
     * The acknowledgement is normally queued before {@code send} returns (the connector handles a
     * request in the sender's context); the short waits and repeated requests cover an
     * acknowledgement lost to a full buffer. A repeated {@code LISTEN} is harmless: the kernel
     * counts a socket as a listener once.
     *
     * @throws ErrnoException when the request cannot be sent, or the kernel refuses it (the errno
     *                        of its acknowledgement)
     * @throws IOException    when the caller is outside the initial network namespace (where alone
     *                        the connector exists), or no acknowledgement comes: the caller is
     *                        outside the initial PID or user namespace, or the kernel lacks
     *                        {@code CONFIG_PROC_EVENTS}
     */
    public void listen() throws IOException {
        int nonce = (int) (System.nanoTime() >>> 10) & 0x3fffffff;
        try (Epoll wait = new Epoll(1)) {
            wait.add(socket.fd(), Epoll.EPOLLIN, 0);
            for (int attempt = 0; attempt < LISTEN_ATTEMPTS; attempt++) {
                try {
                    request(PROC_CN_MCAST_LISTEN, nonce);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.ECONNREFUSED) {
                        throw new IOException("the netlink proc connector refused PROC_CN_MCAST_LISTEN (ECONNREFUSED):"
                                + " the connector exists only in the initial network namespace", e);
                    }
                    throw e;
                }
                asked = true;
                int err = awaitAck(wait, nonce);
                if (err == 0) {
                    return;
                }
                if (err > 0) {
                    throw new ErrnoException("PROC_CN_MCAST_LISTEN on the netlink proc connector", err);
                }
            }
        }
        throw new IOException("the netlink proc connector never acknowledged PROC_CN_MCAST_LISTEN (asked "
                + LISTEN_ATTEMPTS + " times): the kernel ignores subscriptions from outside the initial PID"
                + " and user namespaces (and sends no process events without CONFIG_PROC_EVENTS)");
    }

    /** The errno the acknowledgement carries (0: subscribed), or -1 if none came. */
    private int awaitAck(Epoll wait, int nonce) throws ErrnoException {
        for (int round = 0; round < 2; round++) {
            long n;
            while ((n = socket.receive()) != 0) {
                for (long off = 0; n > 0 && hasMessage(off, n); off = next(off)) {
                    if (isProcEvent(off) && what(off) == PROC_EVENT_NONE && ack(off) == nonce + 1) {
                        return data(off, 0);
                    }
                }
            }
            if (round == 0) {
                wait.await(ACK_WAIT_MILLIS);
            }
        }
        return -1;
    }

    private void request(int op, int nonce) throws ErrnoException {
        MemorySegment req = socket.requestBuffer();
        req.set(JAVA_INT, CN, CN_IDX_PROC);
        req.set(JAVA_INT, CN + 4, CN_VAL_PROC);
        req.set(JAVA_INT, CN + 8, 0);
        req.set(JAVA_INT, CN + 12, nonce);
        req.set(JAVA_SHORT, CN + 16, (short) 4);
        req.set(JAVA_SHORT, CN + 18, (short) 0);
        req.set(JAVA_INT, CN + CN_MSG_BYTES, op);
        socket.send(NetlinkSocket.NLMSG_DONE, 0, 0, CN_MSG_BYTES + 4);
    }

    /**
     * Reads one datagram into the receive buffer, without blocking.
     *
     * @return its length, 0 when nothing is waiting, or {@code -ENOBUFS} when the kernel dropped
     *         events because the receive buffer was full
     * @throws ErrnoException on any other failure of {@code read}
     */
    public long receive() throws ErrnoException {
        return socket.receive();
    }

    /** Datagrams from another process than the kernel, dropped unread ({@link NetlinkSocket#foreign}). */
    public long foreign() {
        return socket.foreign();
    }

    /** The netlink port the last of them came from. */
    public int lastForeignPort() {
        return socket.lastForeignPort();
    }

    /**
     * Whether a whole netlink message starts at {@code off} within the {@code length} bytes
     * received; {@link #isProcEvent} says whether it is an event.
     */
    public boolean hasMessage(long off, long length) {
        return socket.hasMessage(off, length);
    }

    /** The offset of the message after the one at {@code off}. */
    public long next(long off) {
        return socket.next(off);
    }

    /** Whether the message at {@code off} is a whole {@code proc_event} from the process connector. */
    public boolean isProcEvent(long off) {
        return socket.messageType(off) == NetlinkSocket.NLMSG_DONE
                && socket.messageLength(off) >= EVENT + PROC_EVENT_BYTES
                && buf.get(JAVA_INT, off + CN) == CN_IDX_PROC
                && buf.get(JAVA_INT, off + CN + 4) == CN_VAL_PROC
                && (buf.get(JAVA_SHORT, off + CN + 16) & 0xffff) >= PROC_EVENT_BYTES;
    }

    /** {@code cn_msg.seq}: for an event, the sending CPU's counter. */
    public int seq(long off) {
        return buf.get(JAVA_INT, off + CN + 8);
    }

    private int ack(long off) {
        return buf.get(JAVA_INT, off + CN + 12);
    }

    /** {@code proc_event.what}. */
    public int what(long off) {
        return buf.get(JAVA_INT, off + EVENT);
    }

    /** {@code proc_event.cpu}. */
    public int cpu(long off) {
        return buf.get(JAVA_INT, off + EVENT + 4);
    }

    /** {@code proc_event.timestamp_ns}: {@code CLOCK_MONOTONIC} when the kernel sent the event. */
    public long timestampNs(long off) {
        return buf.get(JAVA_LONG_UNALIGNED, off + EVENT + 8);
    }

    /**
     * The {@code word}th u32 of {@code event_data}. Fork: parent_pid, parent_tgid, child_pid,
     * child_tgid. Exec, comm: process_pid, process_tgid. Exit: process_pid, process_tgid,
     * exit_code (the wait status), exit_signal, parent_pid, parent_tgid. Acknowledgement: err.
     */
    public int data(long off, int word) {
        return buf.get(JAVA_INT, off + DATA + 4L * word);
    }

    /** A {@link #PROC_EVENT_COMM}'s new name. */
    public String comm(long off) {
        long at = off + DATA + 8;
        int len = 0;
        while (len < TASK_COMM_LEN && buf.get(JAVA_BYTE, at + len) != 0) {
            len++;
        }
        MemorySegment.copy(buf, JAVA_BYTE, at, comm, 0, len);
        return new String(comm, 0, len, StandardCharsets.UTF_8);
    }

    /**
     * Unsubscribes, then closes the socket. The kernel counts listeners only by their
     * {@code LISTEN} and {@code IGNORE} requests, not by their sockets, so without the
     * {@code IGNORE} it would go on building events for nobody.
     */
    @Override
    public void close() {
        if (asked) {
            asked = false;
            try {
                request(PROC_CN_MCAST_IGNORE, 0);
            } catch (ErrnoException e) {
                // nothing to act on while closing: the cost is only the kernel's wasted work
            }
        }
        socket.close();
    }
}
