package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.wire.ProbeEvent;

import java.util.ArrayList;
import java.util.List;

/** A {@link ProbeOutput} for a probe driven on the test's own thread: keeps everything, everything in scope. */
final class RecordingOutput implements ProbeOutput {
    final List<ProbeEvent> events = new ArrayList<>();
    long lost;

    @Override
    public void emit(ProbeEvent event) {
        events.add(event);
    }

    @Override
    public void lost(long count) {
        lost += count;
    }

    @Override
    public boolean inScope(int pid) {
        return true;
    }
}
