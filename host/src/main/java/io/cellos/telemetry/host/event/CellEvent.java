package io.cellos.telemetry.host.event;

import io.cloudevents.CloudEvent;

import java.util.Objects;

/**
 * One event of a cell as it reaches a sink: the CloudEvent to deliver, the stamp of the cell it
 * belongs to, and what it says, typed. A sink routes by the stamp and the facts and writes the
 * CloudEvent; nothing downstream of the projector parses the event's JSON to learn what it says.
 *
 * <p>Made by {@link EventProjector}, which writes the CloudEvent's {@code data} from this very stamp
 * and these facts, so the three agree. Immutable.
 *
 * @param cloudEvent the event, as it is delivered
 * @param stamp      the cell's attribution, the one written in the event
 * @param facts      what the event says
 */
public record CellEvent(CloudEvent cloudEvent, CellStamp stamp, EventFacts facts) {
    public CellEvent {
        Objects.requireNonNull(cloudEvent, "cloudEvent");
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(facts, "facts");
    }
}
