package io.cellos.telemetry.host.sign;

import java.util.Objects;

/**
 * Where and how a cell's hash chain breaks in a stream of signed events.
 *
 * @param error      the kind of break
 * @param cellId     the cell whose chain breaks ({@code data.cell_id}), or {@code null} when the
 *                   event names none
 * @param runId      its run ({@code data.run_id}), or {@code null} likewise
 * @param eventId    the event at the break, or {@code null} when it has no string {@code id}
 * @param lineNumber that event's 1-based line, counting blank lines too
 * @param detail     a sentence for a person: what was found, and what it means
 */
public record ChainBreak(ChainError error, String cellId, String runId, String eventId, long lineNumber,
                         String detail) {
    public ChainBreak {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(detail, "detail");
    }

    /** {@code code: cell C run R, event E: detail}, for a log line or a command's output. */
    public String message() {
        return error.code() + ": " + (cellId == null ? "" : "cell " + cellId + " run " + runId + ", ")
                + (eventId == null ? "an event without a string id" : "event " + eventId) + ": " + detail;
    }
}
