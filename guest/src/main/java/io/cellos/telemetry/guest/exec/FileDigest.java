package io.cellos.telemetry.guest.exec;

import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.FileStat;
import io.cellos.telemetry.guest.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads a job's file through its descriptor and computes its SHA-256, reading at most
 * {@code maxBytes}; the buffer, the digest and the status buffer are reused from file to file.
 *
 * <p>Confined to the worker thread; owns its native memory.
 */
final class FileDigest implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(CHUNK, 8);
    private final ByteBuffer view = buffer.asByteBuffer();
    private final FileStat after = new FileStat();
    private final MessageDigest sha256;
    private final long maxBytes;

    FileDigest(long maxBytes) {
        this.maxBytes = maxBytes;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256, this one has not", e);
        }
    }

    /**
     * Hashes {@code job}'s file from its start and records the hash or the reason for none in it;
     * does not close its descriptor.
     *
     * @throws InterruptedException if the thread is interrupted, checked between reads
     */
    void hash(HashJob job) throws InterruptedException {
        sha256.reset();
        long total = 0;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped while hashing " + job.name());
            }
            long n = Libc.read(job.fd(), buffer, CHUNK);
            if (n == 0) {
                break;
            }
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n < 0) {
                job.refused(HashOutcome.FAILED, "read(" + job.name() + "): " + Errno.describe((int) -n));
                return;
            }
            total += n;
            if (total > maxBytes) {
                job.refused(HashOutcome.TOO_LARGE, tooLarge(job.name(), maxBytes, "grew past it while it was read"));
                return;
            }
            sha256.update(view.clear().limit((int) n));
        }
        int rc = after.of(job.fd());
        if (rc < 0) {
            job.refused(HashOutcome.FAILED, "fstat(" + job.name() + ") after reading it: " + Errno.describe(-rc));
        } else if (!job.key().matches(after)) {
            // a write between the open and the end of the read: the bytes hashed may be of neither version
            job.refused(HashOutcome.FAILED, job.name() + " changed while it was read (its size or ctime moved); "
                    + "the next exec of it is hashed again");
        } else {
            job.hashed(HEX.formatHex(sha256.digest()));
        }
    }

    /** The reason for not hashing a file over {@code maxBytes}. */
    static String tooLarge(String name, long maxBytes, String detail) {
        return name + " is larger than " + maxBytes + " bytes, the most the agent hashes (" + detail + ")";
    }

    @Override
    public void close() {
        after.close();
        arena.close();
    }
}
