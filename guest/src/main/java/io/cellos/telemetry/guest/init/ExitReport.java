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
 */
public final class ExitReport {
    private ExitReport() {
    }

    /**
     * Connects to {@code to} and sends {@code status}; blocks until sent.
     *
     * @throws ErrnoException if the host cannot be reached or the write fails
     */
    public static void send(TransportAddress to, WaitStatus status) throws ErrnoException {
        try (Arena arena = Arena.ofConfined();
             Fd fd = new Fd((int) Libc.SOCKET.call(to.toString(), to.family(), SockAddr.SOCK_STREAM | SockAddr.SOCK_CLOEXEC, 0),
                     "exit channel to " + to)) {
            Libc.CONNECT.call(to.toString(), fd.get(), to.sockaddr(arena), to.sockaddrLength());
            MemorySegment buf = arena.allocate(4);
            buf.set(JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, status.raw());
            long sent = 0;
            while (sent < 4) {
                sent += Libc.WRITE.call(to.toString(), fd.get(), buf.asSlice(sent), 4 - sent);
            }
        }
    }
}
