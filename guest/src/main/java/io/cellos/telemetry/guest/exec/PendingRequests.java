package io.cellos.telemetry.guest.exec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests waiting for a hash, by file: the first request of a file hands it to the worker,
 * the requests of the same file that come while it is hashed wait for the same answer.
 *
 * <p>Confined to the loop thread.
 */
final class PendingRequests {
    /** One request: the requester's token, and what its process's file was. */
    record Waiter(long token, ExecutableKind kind, String file) {
    }

    private final Map<FileKey, List<Waiter>> byFile = new HashMap<>();
    private int count;

    /** How many requests wait. */
    int count() {
        return count;
    }

    /** How many files they wait for: the files in flight. */
    int files() {
        return byFile.size();
    }

    /** Whether a request of the file with {@code key} already waits (its hash is being computed). */
    boolean waitsFor(FileKey key) {
        return byFile.containsKey(key);
    }

    void add(FileKey key, Waiter waiter) {
        byFile.computeIfAbsent(key, k -> new ArrayList<>(1)).add(waiter);
        count++;
    }

    /** Removes and returns the requests waiting for the file with {@code key}, first come first. */
    List<Waiter> take(FileKey key) {
        List<Waiter> waiters = byFile.remove(key);
        if (waiters == null) {
            return List.of();
        }
        count -= waiters.size();
        return waiters;
    }

    void clear() {
        byFile.clear();
        count = 0;
    }
}
