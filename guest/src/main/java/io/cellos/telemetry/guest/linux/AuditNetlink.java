package io.cellos.telemetry.guest.linux;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A {@code NETLINK_AUDIT} socket and the requests of the kernel audit subsystem's control protocol:
 * read and change the {@link AuditStatus}, register as the audit daemon, add, delete and list
 * {@link AuditRule}s.
 *
 * <p>Each request waits for its answer (at most {@link #PATIENCE_NANOS}); requests are for set-up and
 * tear-down, never for the event loop's hot path. Replies are matched by sequence number; anything
 * else that arrives meanwhile (audit records, when this socket is where the kernel sends them) is
 * discarded, so a socket that carries records should make no request once it is being read for
 * them — except {@link #requestStatus}, which does not wait.
 *
 * <p>Confined to one thread; owns its socket and native memory. Requests need
 * {@code CAP_AUDIT_CONTROL}, reading the multicast log {@code CAP_AUDIT_READ}, and both the initial
 * PID and user namespaces: elsewhere the kernel refuses them.
 */
public final class AuditNetlink implements AutoCloseable {
    public static final int AUDIT_GET = 1000;
    private static final int AUDIT_SET = 1001;
    private static final int AUDIT_ADD_RULE = 1011;
    private static final int AUDIT_DEL_RULE = 1012;
    private static final int AUDIT_LIST_RULES = 1013;
    /** Types from here on are records and user messages, never replies to a request. */
    public static final int AUDIT_FIRST_RECORD = 1100;
    /** A message a user-space program writes into the log ({@link #sendUserMessage}), and its record. */
    public static final int AUDIT_USER = 1005;
    /** A record of a change to audit's configuration ({@code audit_enabled=0 old=1}, rules added or removed). */
    public static final int AUDIT_CONFIG_CHANGE = 1305;
    /** {@code AUDIT_NLGRP_READLOG}: the best-effort multicast copy of every record. */
    private static final int NLGRP_READLOG = 1;
    static final long PATIENCE_NANOS = 2_000_000_000L;

    private final NetlinkSocket socket;
    private final Epoll waiter;
    private final String what;
    private int seq;

    /**
     * Opens a socket.
     *
     * @param what        what it is for, in messages ({@code "audit control"})
     * @param readLog     whether to join {@link #NLGRP_READLOG} and receive a copy of every record
     * @param bufferBytes its receive buffer, in the kernel and in this process
     */
    public AuditNetlink(String what, boolean readLog, int bufferBytes) throws ErrnoException {
        this.what = what;
        this.socket = new NetlinkSocket(NetlinkSocket.NETLINK_AUDIT, SockAddr.SOCK_RAW,
                readLog ? 1 << (NLGRP_READLOG - 1) : 0, bufferBytes, what);
        try {
            this.waiter = new Epoll(1);
            waiter.add(socket.fd(), Epoll.EPOLLIN, 0);
        } catch (ErrnoException e) {
            socket.close();
            throw e;
        }
    }

    /** The socket, for reading records from. */
    public NetlinkSocket socket() {
        return socket;
    }

    /** {@code AUDIT_GET}: the current settings and counters. */
    public AuditStatus status() throws ErrnoException {
        AuditStatus[] got = new AuditStatus[1];
        exchange(AUDIT_GET, NetlinkSocket.NLM_F_REQUEST, 0, "AUDIT_GET", (type, off, len) -> {
            if (type != AUDIT_GET) {
                return false;
            }
            got[0] = statusIn(off, len);
            return true;
        });
        return got[0];
    }

    /**
     * Sends {@code AUDIT_GET} without waiting: the {@link #AUDIT_GET} reply arrives on this socket
     * among the records; {@link #statusIn} reads it.
     *
     * @return false if the kernel could not take the request now ({@code EAGAIN}, {@code ENOBUFS})
     */
    public boolean requestStatus() throws ErrnoException {
        try {
            socket.send(AUDIT_GET, NetlinkSocket.NLM_F_REQUEST, ++seq, 0);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN || e.errno() == Errno.ENOBUFS) {
                return false;
            }
            throw e;
        }
    }

    /**
     * {@code AUDIT_USER}: writes {@code text} into the audit log, without waiting. The kernel queues
     * its record behind every record already queued, so that its arrival on a reading socket means
     * that all those have arrived too: a barrier.
     *
     * @return false if the kernel could not take the message now ({@code EAGAIN}, {@code ENOBUFS})
     */
    public boolean sendUserMessage(String text) throws ErrnoException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment out = socket.requestBuffer();
        MemorySegment.copy(bytes, 0, out, JAVA_BYTE, NetlinkSocket.NLMSG_HDRLEN, bytes.length);
        out.set(JAVA_BYTE, NetlinkSocket.NLMSG_HDRLEN + bytes.length, (byte) 0);
        try {
            socket.send(AUDIT_USER, NetlinkSocket.NLM_F_REQUEST, ++seq, bytes.length + 1);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN || e.errno() == Errno.ENOBUFS) {
                return false;
            }
            throw e;
        }
    }

    /** The status carried by the {@link #AUDIT_GET} reply of {@code len} bytes at {@code off} in the receive buffer. */
    public AuditStatus statusIn(long off, int len) {
        return AuditStatus.read(socket.buffer(), off + NetlinkSocket.NLMSG_HDRLEN, len - NetlinkSocket.NLMSG_HDRLEN);
    }

    /**
     * {@code AUDIT_SET}: changes the fields named in {@code mask} ({@link AuditStatus#MASK_ENABLED}, ...)
     * to their values in {@code values}.
     */
    public void setStatus(int mask, AuditStatus values) throws ErrnoException {
        set(mask, values, "AUDIT_SET(mask 0x" + Integer.toHexString(mask) + ")");
    }

    /**
     * Registers process {@code pid} (the caller's own) as the audit daemon, with this socket as the
     * one the kernel sends every record to.
     *
     * @throws ErrnoException with {@code EEXIST} if a live daemon is registered already
     */
    public void register(int pid) throws ErrnoException {
        set(AuditStatus.MASK_PID, new AuditStatus(0, 0, pid, 0, 0, 0, 0, 0, 0), "AUDIT_SET(audit daemon pid " + pid + ")");
    }

    private void set(int mask, AuditStatus values, String call) throws ErrnoException {
        values.writeSet(socket.requestBuffer(), NetlinkSocket.NLMSG_HDRLEN, mask);
        exchange(AUDIT_SET, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK, AuditStatus.BYTES, call,
                AuditNetlink::ack);
    }

    /**
     * {@code AUDIT_ADD_RULE}.
     *
     * @return true if added, false if the kernel has an identical rule already
     */
    public boolean addRule(AuditRule rule) throws ErrnoException {
        return changeRule(AUDIT_ADD_RULE, "AUDIT_ADD_RULE", rule, Errno.EEXIST);
    }

    /**
     * {@code AUDIT_DEL_RULE}.
     *
     * @return true if deleted, false if the kernel has no such rule
     */
    public boolean deleteRule(AuditRule rule) throws ErrnoException {
        return changeRule(AUDIT_DEL_RULE, "AUDIT_DEL_RULE", rule, Errno.ENOENT);
    }

    private boolean changeRule(int type, String name, AuditRule rule, int benignErrno) throws ErrnoException {
        int size = rule.byteSize();
        MemorySegment out = socket.requestBuffer();
        if (NetlinkSocket.NLMSG_HDRLEN + size > out.byteSize()) {
            throw new IllegalArgumentException("audit rule of " + size + " bytes does not fit a request: " + rule);
        }
        rule.write(out, NetlinkSocket.NLMSG_HDRLEN);
        try {
            exchange(type, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK, size, name + "(" + rule + ")",
                    AuditNetlink::ack);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == benignErrno) {
                return false;
            }
            throw e;
        }
    }

    /** {@code AUDIT_LIST_RULES}: every rule the kernel has, on every list. */
    public List<AuditRule> rules() throws ErrnoException {
        List<AuditRule> rules = new ArrayList<>();
        exchange(AUDIT_LIST_RULES, NetlinkSocket.NLM_F_REQUEST, 0, "AUDIT_LIST_RULES", (type, off, len) -> {
            if (type == AUDIT_LIST_RULES) {
                rules.add(AuditRule.read(socket.buffer(), off + NetlinkSocket.NLMSG_HDRLEN,
                        len - NetlinkSocket.NLMSG_HDRLEN));
            }
            return type == NetlinkSocket.NLMSG_DONE;
        });
        return rules;
    }

    /** What to do with each reply to a request; returns true when the exchange is complete. */
    @FunctionalInterface
    private interface Reply {
        boolean accept(int type, long off, int len);
    }

    private static boolean ack(int type, long off, int len) {
        return type == NetlinkSocket.NLMSG_ERROR;
    }

    /**
     * Sends the request whose {@code payload} bytes the caller put after the header in the request
     * buffer, then hands each reply with its sequence number to {@code reply} until it is satisfied.
     * An {@code NLMSG_ERROR} with a non-zero error ends the exchange with that errno.
     */
    private void exchange(int type, int flags, int payload, String call, Reply reply) throws ErrnoException {
        int mine = ++seq;
        socket.send(type, flags, mine, payload);
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        MemorySegment buf = socket.buffer();
        while (true) {
            long n = socket.receive();
            if (n == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new ErrnoException(call + " on " + what + ": no reply within "
                            + PATIENCE_NANOS / 1_000_000 + " ms", Errno.ETIMEDOUT);
                }
                waiter.await((int) Math.max(1, left / 1_000_000));
                continue;
            }
            // a record (the kernel sets its length without the header) is never a reply: skip the datagram
            if (n < 0 || socket.messageType(0) >= AUDIT_FIRST_RECORD) {
                continue;
            }
            for (long off = 0; socket.hasMessage(off, n); off = socket.next(off)) {
                if (socket.messageSeq(off) != mine) {
                    continue;
                }
                int t = socket.messageType(off);
                if (t == NetlinkSocket.NLMSG_ERROR) {
                    int error = buf.get(JAVA_INT, off + NetlinkSocket.NLMSG_HDRLEN);
                    if (error != 0) {
                        throw new ErrnoException(call + " on " + what, -error);
                    }
                }
                if (reply.accept(t, off, socket.messageLength(off))) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        waiter.close();
        socket.close();
    }
}
