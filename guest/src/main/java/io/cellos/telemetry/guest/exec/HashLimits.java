package io.cellos.telemetry.guest.exec;

/**
 * The bounds of an {@link ExecutableHasher}.
 *
 * @param files        how many files may be in flight (queued, being hashed, or hashed and not yet
 *                     drained) before a request of another file is refused as busy
 * @param waiting      how many requests may wait for an answer, all files together, before any
 *                     request that is not answered from the cache is refused as busy
 * @param maxFileBytes the largest file hashed
 * @param cacheEntries how many hashes are remembered
 * @param closeMillis  how long {@link ExecutableHasher#close} waits for the worker to end
 */
public record HashLimits(int files, int waiting, long maxFileBytes, int cacheEntries, long closeMillis) {
    /** 64 files, 4,096 requests, 512 MiB, 4,096 hashes, one second. */
    public static final HashLimits DEFAULT = new HashLimits(64, 4096, 512L << 20, 4096, 1000);

    public HashLimits {
        if (files < 1 || waiting < files || maxFileBytes < 0 || cacheEntries < 1 || closeMillis < 0) {
            throw new IllegalArgumentException("hash limits: files " + files + ", waiting " + waiting
                    + " (at least files), max file bytes " + maxFileBytes + ", cache entries " + cacheEntries
                    + ", close millis " + closeMillis);
        }
    }
}
