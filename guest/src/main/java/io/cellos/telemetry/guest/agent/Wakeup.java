package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.OpenFlags;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A pipe that lets another thread wake the agent's loop (to stop it): the loop waits on the read
 * end with its other fds; {@link #wake} writes a byte from any thread.
 *
 * <p>The read end belongs to the loop thread; {@link #wake} is thread-safe, and a wake-up that
 * comes after {@link #close} does nothing (it never writes to a descriptor number that may have
 * been reused).
 */
final class Wakeup implements AutoCloseable {

    private final Arena arena = Arena.ofAuto(); // freed with this object: wake() may race close()
    private final MemorySegment one = arena.allocate(8);
    private final Fd readEnd;
    private final Fd writeEnd;

    Wakeup() throws ErrnoException {
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        Libc.PIPE2.call("wake-up pipe", fds, OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC);
        readEnd = new Fd(fds.getAtIndex(JAVA_INT, 0), "wake-up pipe (read)");
        writeEnd = new Fd(fds.getAtIndex(JAVA_INT, 1), "wake-up pipe (write)");
    }

    int fd() {
        return readEnd.get();
    }

    private boolean closed;

    /** Makes the read end readable; from any thread. */
    synchronized void wake() {
        if (!closed) {
            Libc.WRITE.callOrErrno(writeEnd.get(), one, 1L);
        }
    }

    /** Empties the pipe; on the loop thread. */
    void drain() {
        while (Libc.read(readEnd.get(), one, 8) > 0) {
            // each byte was one wake-up; the loop re-checks its state once for all of them
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        readEnd.close();
        writeEnd.close();
    }
}
