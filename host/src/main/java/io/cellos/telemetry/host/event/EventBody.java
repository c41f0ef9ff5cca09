package io.cellos.telemetry.host.event;

import java.net.URI;
import java.time.Instant;

/**
 * Writes the {@code data} of one cell's events in one {@link EventFormat}: what an event says
 * ({@link EventFacts}) becomes the members of a JSON object, and the schema that object follows is
 * named for the CloudEvent's {@code dataschema}.
 *
 * <p>{@link EventProjector} chooses the body once, for the cell, and hands it every event; the
 * body reads only the facts and the values it is given, which never change, so the data it
 * returns renders the same JSON every time, on any thread. Implementations are immutable.
 */
interface EventBody {
    /** The {@code dataschema} of an event that says {@code facts}, or {@code null} for none. */
    URI dataSchema(EventFacts facts);

    /**
     * The members of the {@code data} of the event that says {@code facts}.
     *
     * @param id    the event's CloudEvents {@code id}
     * @param at    the event's {@code time}: when the host accepted the frame, or made the event
     * @param check the cell's session check for this event, or {@code null} when it is not known
     *              (a sink's report)
     */
    EventData.Members data(EventFacts facts, String id, Instant at, SessionCheck check);
}
