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
    private final Map<Integer, String> names;

    ProcessNames(int capacity) {
        this.names = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records {@code comm} for {@code pid}; {@code null} forgets the name it had. */
    void named(int pid, String comm) {
        if (comm == null) {
            names.remove(pid);
        } else {
            names.put(pid, comm);
        }
    }

    String nameOf(int pid) {
        return names.get(pid);
    }
}
