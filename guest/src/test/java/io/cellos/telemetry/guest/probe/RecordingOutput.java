package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.wire.ProbeEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@link ProbeOutput} for a probe driven on the test's own thread: keeps everything; in scope is
 * everything, or the pids given.
 */
public final class RecordingOutput implements ProbeOutput {
    public final List<ProbeEvent> events = new ArrayList<>();
    public long lost;
    private final Set<Integer> scope;

    /** Everything in scope. */
    public RecordingOutput() {
        this(null);
    }

    /** @param scope the pids in scope, or {@code null} for all */
    public RecordingOutput(Set<Integer> scope) {
        this.scope = scope;
    }

    @Override
    public void emit(ProbeEvent event) {
        events.add(event);
    }

    @Override
    public void lost(long count) {
        lost += count;
    }

    @Override
    public KnownProcesses processes() {
        return pid -> scope == null || scope.contains(pid);
    }
}
