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
     * @return the lock, or {@code null} if another process held it all that time
     * @throws ErrnoException if the file cannot be opened or locked for another reason
     */
    public static FileLock acquire(String path, long patienceNanos) throws ErrnoException {
        int raw;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            raw = (int) Libc.OPEN.call(path, p, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC, 0600);
        }
        Fd fd = new Fd(raw, "lock file " + path);
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
