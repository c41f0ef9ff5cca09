package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.SockAddr;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The agent's stream to the host: a non-blocking {@code SOCK_STREAM} socket, {@code AF_VSOCK} or
 * {@code AF_UNIX}, through the FFM API. Writes never block: they take what the socket buffer has
 * room for.
 *
 * <p>Confined to the agent's loop thread; owns its socket and native memory. A channel outlives
 * its connections: {@link #disconnect} ends one and {@link #connect} opens the next, and
 * {@link #close} releases the socket and the native memory for good.
 */
final class Channel implements AutoCloseable {

    private final TransportAddress address;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment sockaddr;
    private final int sockaddrLength;
    private final MemorySegment intBuf = arena.allocate(JAVA_INT);
    private final MemorySegment lenBuf = arena.allocate(JAVA_INT);
    private Fd fd;
    private boolean connected;

    Channel(TransportAddress address) {
        this.address = address;
        sockaddr = address.sockaddr(arena);
        sockaddrLength = address.sockaddrLength();
    }

    TransportAddress address() {
        return address;
    }

    /**
     * Opens a socket and starts connecting.
     *
     * @return {@code true} if connected at once, {@code false} if the connect is in progress
     *         (wait for the fd to be writable, then {@link #finishConnect})
     * @throws ErrnoException if the socket cannot be made or the connect is refused
     * @throws IllegalStateException if the channel is closed
     */
    boolean connect() throws ErrnoException {
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("the channel to " + address + " is closed");
        }
        disconnect();
        fd = new Fd((int) Libc.SOCKET.call(address.isUnix() ? "AF_UNIX" : "AF_VSOCK", address.family(),
                SockAddr.SOCK_STREAM | SockAddr.SOCK_NONBLOCK | SockAddr.SOCK_CLOEXEC, 0), "channel to " + address);
        long rc = Libc.CONNECT.callOrErrno(fd.get(), sockaddr, sockaddrLength);
        if (rc == 0) {
            connected = true;
            return true;
        }
        if (rc == -Errno.EINPROGRESS || rc == -Errno.EAGAIN) {
            return false;
        }
        disconnect();
        throw new ErrnoException("connect(" + address + ")", (int) -rc);
    }

    /** Completes a connect that was in progress; throws if it failed. */
    void finishConnect() throws ErrnoException {
        lenBuf.set(JAVA_INT, 0, 4);
        Libc.GETSOCKOPT.call("SO_ERROR", fd.get(), SockAddr.SOL_SOCKET, SockAddr.SO_ERROR, intBuf, lenBuf);
        int err = intBuf.get(JAVA_INT, 0);
        if (err != 0) {
            disconnect();
            throw new ErrnoException("connect(" + address + ")", err);
        }
        connected = true;
    }

    boolean isOpen() {
        return fd != null && fd.isOpen();
    }

    boolean isConnected() {
        return connected;
    }

    int fd() {
        return fd.get();
    }

    /** Writes what fits; returns the bytes written, or {@code -errno} ({@code -EAGAIN}: the buffer is full). */
    long write(MemorySegment buf, long len) {
        return Libc.sendNonBlocking(fd.get(), buf, len);
    }

    /** Reads and discards what the host sent (nothing, by protocol); {@code false} once the host has closed. */
    boolean drainInput(MemorySegment scratch) {
        long n;
        do {
            n = Libc.read(fd.get(), scratch, scratch.byteSize());
        } while (n > 0);
        return n == -Errno.EAGAIN || n == -Errno.EINTR;
    }

    /** Closes the socket, if one is open; {@link #connect} may open another. */
    void disconnect() {
        if (fd != null) {
            fd.close();
            fd = null;
        }
        connected = false;
    }

    /** Closes the socket and releases the native memory; the channel cannot be used after this. Idempotent. */
    @Override
    public void close() {
        disconnect();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
