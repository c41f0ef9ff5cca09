package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.agent.TransportAddress;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.SockAddr;

import io.cellos.telemetry.wire.WaitStatus;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * The exit-code channel (port 9000): one connection carrying the workload's wait status as 4 bytes,
 * little-endian ({@link WaitStatus}), then closed.
 *
 * <p>Init {@link #open opens} it before the workload starts and keeps it: the host takes a report
 * only on the boot's first connection, so a process of the workload that reaches the socket later
 * can neither report a status of its own nor take init's place. The descriptor is close-on-exec,
 * and the seccomp gate refuses {@code pidfd_getfd}, so the workload cannot hold a copy. Owned by
 * init's one thread.
 */
public final class ExitReport implements AutoCloseable {
    private final TransportAddress to;
    private final Fd fd;

    private ExitReport(TransportAddress to, Fd fd) {
        this.to = to;
        this.fd = fd;
    }

    /**
     * Connects to {@code to}.
     *
     * @throws ErrnoException if the host cannot be reached
     */
    public static ExitReport open(TransportAddress to) throws ErrnoException {
        Fd fd = new Fd((int) Libc.SOCKET.call(to.toString(), to.family(), SockAddr.SOCK_STREAM | SockAddr.SOCK_CLOEXEC, 0),
                "exit channel to " + to);
        try (Arena arena = Arena.ofConfined()) {
            Libc.CONNECT.call(to.toString(), fd.get(), to.sockaddr(arena), to.sockaddrLength());
            return new ExitReport(to, fd);
        } catch (ErrnoException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Sends {@code status} and closes the channel; blocks until sent.
     *
     * @throws ErrnoException if the write fails (the channel is closed all the same)
     */
    public void send(WaitStatus status) throws ErrnoException {
        try (Arena arena = Arena.ofConfined(); fd) {
            MemorySegment buf = arena.allocate(4);
            buf.set(JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, status.raw());
            long sent = 0;
            while (sent < 4) {
                sent += Libc.WRITE.call(to.toString(), fd.get(), buf.asSlice(sent), 4 - sent);
            }
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
