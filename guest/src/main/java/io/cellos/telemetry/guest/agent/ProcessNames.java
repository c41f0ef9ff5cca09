package io.cellos.telemetry.guest.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names the probes heard processes take (at fork, at exec), kept after the processes are gone:
 * a short-lived writer of a watched file is named from here once {@code /proc} has forgotten it.
 * Bounded: the least recently told names go first.
 *
 * <p>Confined to the agent's loop thread.
 */
final class ProcessNames {
    /** A name, and whether an exec gave it (else the fork did: the parent's). */
    private record Name(String comm, boolean fromExec) {
    }

    private final Map<Integer, Name> names;

    ProcessNames(int capacity) {
        this.names = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Name> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records the name {@code pid} has at its fork (its parent's). */
    void named(int pid, String comm) {
        names.put(pid, new Name(comm, false));
    }

    /**
     * Records the name an exec gave {@code pid}; {@code null} (not readable) forgets a name from its
     * fork, which is no longer its own, but keeps one an exec gave (audit's record may come first).
     */
    void execed(int pid, String comm) {
        if (comm != null) {
            names.put(pid, new Name(comm, true));
        } else {
            Name known = names.get(pid);
            if (known != null && !known.fromExec()) {
                names.remove(pid);
            }
        }
    }

    String nameOf(int pid) {
        Name n = names.get(pid);
        return n == null ? null : n.comm();
    }
}
