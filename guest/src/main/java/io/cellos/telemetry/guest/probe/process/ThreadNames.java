package io.cellos.telemetry.guest.probe.process;

import java.util.HashMap;
import java.util.Map;

/**
 * The names threads gave themselves ({@code PR_SET_NAME}, which the process connector reports as a
 * comm change), each kept until its thread ends: a process forked by a thread is born with that
 * thread's name, and when the thread has ended before the fork's message is read, {@code /proc} no
 * longer has it (init's spawning thread lives only for its one spawn). Names are taken in the
 * order of the messages, so a fork is named as its thread was called when it forked.
 *
 * <p>Bounded: beyond {@value #MAX} threads no new name is kept, and the probe names such a
 * child as it would without (from {@code /proc}, or after the process). Confined to the loop
 * thread.
 */
final class ThreadNames {
    /** The most threads whose names are kept (a JVM names a score of its own). */
    static final int MAX = 4096;

    private final Map<Integer, String> names = new HashMap<>();

    /** Thread {@code tid} (not a process's first thread) took the name {@code comm}. */
    void renamed(int tid, String comm) {
        if (names.size() < MAX || names.containsKey(tid)) {
            names.put(tid, comm);
        }
    }

    /** Thread {@code tid} ended, or a new thread took its id: whatever was known of the id is forgotten. */
    void forget(int tid) {
        if (!names.isEmpty()) { // most threads never name themselves: no box for them
            names.remove(tid);
        }
    }

    /** The name thread {@code tid} gave itself, or {@code null} if it gave none since the probe listened. */
    String of(int tid) {
        return names.get(tid);
    }

    /** After messages were lost: a thread's end may have been among them, and its id reused since. */
    void clear() {
        names.clear();
    }
}
