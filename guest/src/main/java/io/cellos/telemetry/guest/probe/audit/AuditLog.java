package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.NetlinkSocket;
import io.cellos.telemetry.guest.linux.ReadyGroup;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The audit log as one agent reads it: as the registered audit daemon, to which the kernel sends
 * every record, or — when a live daemon is registered already (another agent on this machine,
 * {@code auditd}) — as a reader of the best-effort multicast copy beside it.
 *
 * <p><b>Taking over.</b> Several agents share one kernel on a machine that runs local cells side by
 * side, and only one can be the daemon. When it goes (its agent closes, or dies), a reader beside it
 * {@link #takeOver takes its place}, so that records are neither held in the kernel for a daemon that
 * is gone (and then counted lost when that queue overflows) nor printed to the kernel log. The move
 * loses nothing and reads nothing twice: once registered, the probe writes a marker into the log
 * ({@code AUDIT_USER}); the kernel queues every record in one order and sends each to the multicast
 * group before the daemon, and the records it held for the old daemon were multicast when they were
 * made. So everything ahead of the marker on the new socket was read on the multicast socket, and
 * everything after it was not: the multicast socket is read up to the marker and closed, and the new
 * socket is read from just after it.
 *
 * <p>{@link #receive} hands out one datagram at a time, in {@link #buffer}. Confined to the loop
 * thread; owns its sockets (members of the given {@link ReadyGroup} while open).
 */
final class AuditLog implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;

    private final int self;
    private final ReadyGroup group;
    /** The socket records are read from now. */
    private AuditNetlink current;
    /** During a take-over: the multicast socket, read until the marker. */
    private AuditNetlink previous;
    /** The socket the last datagram {@link #receive} returned came from. */
    private AuditNetlink reading;
    private boolean daemon;
    /** During a take-over: the marker's text; {@code null} otherwise. */
    private byte[] marker;
    /** The marker could not be sent yet (the kernel said {@code EAGAIN}): sent again on the next receive. */
    private AuditNetlink markerTo;
    /** During a take-over: whether the marker has come on the new socket (what follows it is new). */
    private boolean markerOnCurrent;
    /** The marker was the last datagram handed out from the multicast socket: close it next. */
    private boolean previousDone;
    /** Foreign datagrams of sockets closed since. */
    private long foreignBefore;

    private AuditLog(int self, ReadyGroup group, AuditNetlink socket, boolean daemon) throws ErrnoException {
        this.self = self;
        this.group = group;
        this.current = socket;
        this.reading = socket;
        this.daemon = daemon;
        group.add(socket.socket().fd());
    }

    /**
     * Registers process {@code self} as the audit daemon, or, when a live one is registered, joins
     * the multicast group beside it; the socket joins {@code group}.
     */
    static AuditLog open(int self, ReadyGroup group) throws ErrnoException {
        AuditNetlink unicast = new AuditNetlink("audit record socket", false, BUFFER_BYTES);
        try {
            unicast.register(self);
            return new AuditLog(self, group, unicast, true);
        } catch (ErrnoException e) {
            unicast.close();
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
        AuditNetlink multicast = new AuditNetlink("audit multicast log socket", true, BUFFER_BYTES);
        try {
            return new AuditLog(self, group, multicast, false);
        } catch (ErrnoException e) {
            multicast.close();
            throw e;
        }
    }

    /** Whether this process is the registered audit daemon (else it reads the multicast copy). */
    boolean daemon() {
        return daemon;
    }

    /**
     * Tries to become the daemon, when the one this log reads beside is gone: registers a new
     * socket and writes the marker through {@code control}.
     *
     * @return true if this process is the daemon now; false if another process was faster (this
     *         log reads on beside that one)
     */
    boolean takeOver(AuditNetlink control) throws ErrnoException {
        if (daemon) {
            return true;
        }
        AuditNetlink unicast = new AuditNetlink("audit record socket", false, BUFFER_BYTES);
        try {
            unicast.register(self);
            group.add(unicast.socket().fd());
        } catch (ErrnoException e) {
            unicast.close();
            if (e.errno() == Errno.EEXIST) {
                return false;
            }
            throw e;
        }
        marker = ("cellos-agent " + self + " took over the audit log " + System.nanoTime())
                .getBytes(StandardCharsets.US_ASCII);
        markerOnCurrent = false;
        previous = current;
        current = unicast;
        daemon = true;
        markerTo = control;
        sendMarker();
        return true;
    }

    private void sendMarker() throws ErrnoException {
        if (markerTo.sendUserMessage(new String(marker, StandardCharsets.US_ASCII))) {
            markerTo = null;
        }
    }

    /**
     * The next datagram, in {@link #buffer}.
     *
     * @return its length, 0 when none is waiting, or {@code -ENOBUFS} when the kernel dropped
     *         records because a socket's buffer was full
     */
    long receive() throws ErrnoException {
        if (markerTo != null) {
            sendMarker();
        }
        if (previousDone) {
            closePrevious();
        }
        while (true) {
            if (previous != null) {
                long n = previous.socket().receive();
                if (n != 0) {
                    // the marker itself is handed out (its serial is the log's) and ends the multicast socket
                    previousDone = n > 0 && contains(previous.socket().buffer(), n, marker);
                    reading = previous;
                    return n;
                }
            }
            if (marker != null && !markerOnCurrent) {
                long m = current.socket().receive();
                if (m <= 0) {
                    return m;
                }
                // up to the marker, the new socket repeats what the multicast one brought
                markerOnCurrent = contains(current.socket().buffer(), m, marker);
                continue;
            }
            if (previous != null) {
                // the marker came on the new socket, and the multicast one, read since, holds nothing:
                // its copy of the marker was dropped (a full buffer, counted as such)
                closePrevious();
            }
            marker = null;
            reading = current;
            return current.socket().receive();
        }
    }

    /** The datagram {@link #receive} returned last. */
    MemorySegment buffer() {
        return reading.socket().buffer();
    }

    /** The netlink message type of the datagram {@link #receive} returned last. */
    int type() {
        return reading.socket().messageType(0);
    }

    /**
     * Whether the datagram {@link #receive} returned last came on the socket this log read before
     * it {@linkplain #takeOver took over}: a status reply there answers a request made before, and
     * tells of the daemon as it was then.
     */
    boolean fromBeforeTakeOver() {
        return reading == previous;
    }

    /** The status the datagram {@link #receive} returned last carries, if it is an {@code AUDIT_GET} reply. */
    AuditStatus status() {
        return reading.statusIn(0, reading.socket().messageLength(0));
    }

    /**
     * Datagrams from another process than the kernel, dropped unread, on the sockets records are
     * read from ({@link NetlinkSocket#foreign}): a forgery of records.
     */
    long foreign() {
        return foreignBefore + current.socket().foreign() + (previous == null ? 0 : previous.socket().foreign());
    }

    /** The netlink port the last of them came from. */
    int lastForeignPort() {
        return current.socket().foreign() > 0 || previous == null ? current.socket().lastForeignPort()
                : previous.socket().lastForeignPort();
    }

    /** The socket to send {@code AUDIT_GET} on: its reply comes among the records read. */
    AuditNetlink requests() {
        return current;
    }

    private void closePrevious() {
        foreignBefore += previous.socket().foreign();
        previous.close(); // leaves the group as it closes
        previous = null;
        previousDone = false;
    }

    /** Whether the datagram of {@code length} bytes in {@code buf} carries {@code needle} in its payload. */
    static boolean contains(MemorySegment buf, long length, byte[] needle) {
        long limit = length - needle.length;
        outer:
        for (long i = NetlinkSocket.NLMSG_HDRLEN; i <= limit; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf.get(JAVA_BYTE, i + j) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        if (previous != null) {
            previous.close();
        }
        current.close();
    }
}
