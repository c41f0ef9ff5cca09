package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.sink.EventSink;

/** A sink that hands every event to another sink and to a {@link CellSummary}. Thread-safe as both are. */
final class SummarySink implements EventSink {
    private final EventSink next;
    private final CellSummary summary;

    SummarySink(EventSink next, CellSummary summary) {
        this.next = next;
        this.summary = summary;
    }

    @Override
    public void emit(CellEvent event) {
        summary.accept(event);
        next.emit(event);
    }

    @Override
    public void flush() {
        next.flush();
    }

    @Override
    public long lost() {
        return next.lost();
    }

    @Override
    public void close() {
        next.close();
    }
}
