package io.cellos.telemetry.host.event;

import io.cellos.telemetry.host.sign.EventChain;
import io.cloudevents.CloudEvent;

import java.util.Objects;

/**
 * One event of a cell as it reaches a sink: the CloudEvent to deliver, the stamp of the cell it
 * belongs to, what it says, typed, and the cell's hash chain, which a signing sink links it into.
 * A sink routes by the stamp and the facts and writes the CloudEvent; nothing downstream of the
 * projector parses the event's JSON to learn what it says.
 *
 * <p>Made by {@link EventProjector}, which writes the CloudEvent's {@code data} from this very stamp
 * and these facts, so the three agree. Immutable.
 *
 * @param cloudEvent the event, as it is delivered
 * @param stamp      the cell's attribution, the one written in the event
 * @param facts      what the event says
 * @param chain      the chain of the cell's events, the same for every event of one bound cell
 */
public record CellEvent(CloudEvent cloudEvent, CellStamp stamp, EventFacts facts, EventChain chain) {
    public CellEvent {
        Objects.requireNonNull(cloudEvent, "cloudEvent");
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(facts, "facts");
        Objects.requireNonNull(chain, "chain");
    }
}
