package io.cellos.telemetry.guest.exec;

import io.cellos.telemetry.guest.linux.Libc;

/**
 * One file to hash: handed by the loop to the worker with its open descriptor, handed back with
 * the result once the worker has closed the descriptor.
 *
 * <p>Owned by one thread at a time, passed through {@link java.util.concurrent.BlockingQueue}s
 * (which publish its fields): the loop until {@link HashWorker#submit}, then the worker, then the
 * loop again. It owns the descriptor until {@link #closeFile}.
 */
final class HashJob {
    private final FileKey key;
    private final String name;
    private int fd;
    private HashOutcome outcome;
    private String sha256;
    private String reason;

    /**
     * @param fd   a descriptor of the file, open for reading at its start; now owned by the job
     * @param key  the file's key when it was opened
     * @param name the file, for reasons ({@code /proc/42/exe})
     */
    HashJob(int fd, FileKey key, String name) {
        this.fd = fd;
        this.key = key;
        this.name = name;
    }

    FileKey key() {
        return key;
    }

    String name() {
        return name;
    }

    int fd() {
        return fd;
    }

    void hashed(String hex) {
        outcome = HashOutcome.HASHED;
        sha256 = hex;
    }

    void refused(HashOutcome why, String text) {
        outcome = why;
        reason = text;
    }

    /** The result; null until the worker has given one. */
    HashOutcome outcome() {
        return outcome;
    }

    String sha256() {
        return sha256;
    }

    String reason() {
        return reason;
    }

    /** Closes the descriptor; harmless twice. */
    void closeFile() {
        if (fd >= 0) {
            // close(2) releases the descriptor even when it reports an error; a file only read has
            // nothing to flush
            Libc.CLOSE.invoke(fd, 0, 0, 0, 0, 0);
            fd = -1;
        }
    }
}
