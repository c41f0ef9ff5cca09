package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.wire.ProbeEvent;

import io.cellos.telemetry.host.event.CellEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Guest frames handed to a {@link CellSummary} as the receiver projects them: cell {@code c},
 * run {@code r}, one connection, frames numbered from 1, all received at {@link #AT}; and the
 * events it handed, as the receiver's sink would have had them.
 */
final class SummaryFeed implements Consumer<ProbeEvent> {
    static final Instant AT = Instant.parse("2026-11-21T12:00:00Z");

    private final CellSummary summary;
    private final EventProjector projector = new EventProjector(new CellStamp("c", "r", null), "/c_9001");
    private final List<CellEvent> events = new ArrayList<>();
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
        host(projector.guest(e, 1, ++frame, AT, SessionCheck.PINNED));
    }

    /** Hands {@code e}, made by {@link #projector()}, to the summary. */
    void host(CellEvent e) {
        events.add(e);
        summary.accept(e);
    }

    /** Every event handed so far, in order. */
    List<CellEvent> events() {
        return List.copyOf(events);
    }
}
