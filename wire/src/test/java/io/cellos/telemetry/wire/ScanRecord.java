package io.cellos.telemetry.wire;

import java.util.ArrayList;
import java.util.List;

/** A {@link FrameScanner.Handler} that writes down what it is told, offsets shifted by a base. */
final class ScanRecord implements FrameScanner.Handler {
    /** One report: an accepted event, or the kind of a refusal; {@code offset} is the frame's. */
    record Report(long offset, ProbeEvent event, FrameError error) {
    }

    final List<Report> reports = new ArrayList<>();
    long base;

    @Override
    public void onFrame(ProbeEvent event, int offset) {
        reports.add(new Report(base + offset, event, null));
    }

    @Override
    public void onRejected(FrameException e, int offset) {
        reports.add(new Report(base + offset, null, e.error()));
    }
}
