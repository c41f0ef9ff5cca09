package io.cellos.telemetry.guest.exec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hashes of the files hashed last, at most {@code capacity} of them; the one used least
 * recently goes first.
 *
 * <p>Confined to the loop thread.
 */
final class HashCache {
    private final Map<FileKey, String> hashes;

    HashCache(int capacity) {
        hashes = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FileKey, String> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The hash of the file with {@code key}, or null. */
    String get(FileKey key) {
        return hashes.get(key);
    }

    void put(FileKey key, String sha256) {
        hashes.put(key, sha256);
    }

    int size() {
        return hashes.size();
    }
}
