package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.wire.ProbeEvent;

import java.time.Instant;
import java.util.function.Consumer;

/**
 * Guest frames handed to a {@link CellSummary} as the receiver projects them: cell {@code c},
 * run {@code r}, one connection, frames numbered from 1, all received at {@link #AT}.
 */
final class SummaryFeed implements Consumer<ProbeEvent> {
    static final Instant AT = Instant.parse("2026-11-21T12:00:00Z");

    private final CellSummary summary;
    private final EventProjector projector = new EventProjector(new CellStamp("c", "r", null), "/c_9001");
    private long frame;

    /** A feed into {@code summary}, whose root is init, pid 1. */
    SummaryFeed(CellSummary summary) {
        this.summary = summary;
        summary.root(1);
    }

    /** The projector events of the host's own go through, for the same cell. */
    EventProjector projector() {
        return projector;
    }

    @Override
    public void accept(ProbeEvent e) {
        summary.accept(projector.guest(e, 1, ++frame, AT, SessionCheck.PINNED));
    }
}
