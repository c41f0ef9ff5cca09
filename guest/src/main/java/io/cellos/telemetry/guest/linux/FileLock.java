package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An exclusive {@code flock(2)} on a file, held until {@link #close} (or the holder's death: the
 * kernel releases it with the last descriptor). Serialises processes that change shared kernel
 * state in several steps — agents on one machine changing audit's rules and settings.
 *
 * <p>Never waits without bound: {@link #acquire} tries for a given time and then reports that it
 * could not, so that a process holding the lock forever (a stuck peer, a hostile one) delays the
 * caller but cannot stop it. Confined to one thread; owns its descriptor.
 */
public final class FileLock implements AutoCloseable {
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final long RETRY_MILLIS = 5;

    private final Fd fd;

    private FileLock(Fd fd) {
        this.fd = fd;
    }

    /**
     * Opens (creating it, mode 0600) and locks {@code path}, trying until {@code patienceNanos}
     * have passed.
     *
     * <p>The open itself never waits: a process holding a lease on the file ({@code fcntl
     * F_SETLEASE}, which root may take on any file it owns) would otherwise hold the open back for
     * {@code /proc/sys/fs/lease-break-time} seconds; {@code O_NONBLOCK} has the kernel answer at
     * once instead, and that counts as the lock being held.
     *
     * @return the lock, or {@code null} if another process held it (or a lease on its file) all
     *         that time
     * @throws ErrnoException if the file cannot be opened or locked for another reason
     */
    public static FileLock acquire(String path, long patienceNanos) throws ErrnoException {
        long raw;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            raw = Libc.OPEN.callOrErrno(p, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC
                    | OpenFlags.O_NONBLOCK, 0600);
        }
        if (raw == -Errno.EAGAIN) { // a lease: waiting for it is what O_NONBLOCK declined
            return null;
        }
        if (raw < 0) {
            throw new ErrnoException("open(" + path + ")", (int) -raw);
        }
        Fd fd = new Fd((int) raw, "lock file " + path);
        long deadline = System.nanoTime() + patienceNanos;
        while (true) {
            long rc = Libc.FLOCK.callOrErrno(fd.get(), LOCK_EX | LOCK_NB);
            if (rc == 0) {
                return new FileLock(fd);
            }
            if (rc != -Errno.EAGAIN && rc != -Errno.EINTR) { // EWOULDBLOCK is EAGAIN
                fd.close();
                throw new ErrnoException("flock(" + path + ", LOCK_EX)", (int) -rc);
            }
            if (System.nanoTime() - deadline >= 0) {
                fd.close();
                return null;
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fd.close();
                return null;
            }
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
