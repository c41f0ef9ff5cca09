package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.POJONode;
import io.cloudevents.CloudEventData;
import io.cloudevents.jackson.JsonCloudEventData;

import java.io.IOException;

/**
 * The {@code data} of an event this host makes: one JSON object whose members are written
 * straight into the generator that serializes the event.
 *
 * <p>It reaches the CloudEvents SDK as {@link JsonCloudEventData}, the SDK's own type for JSON
 * data, over a Jackson {@link POJONode} that holds this {@link JsonSerializable}. The SDK's JSON
 * format writes such data as a tree, in place, so the object is never rendered to an intermediate
 * buffer, copied, converted to characters and back, or matched against the content type; and
 * {@link CloudEventData#toBytes()} still renders the same JSON.
 *
 * <p>Immutable if its {@link Members} only read values that never change; then the data renders
 * the same JSON every time, on any thread.
 */
final class EventData extends JsonSerializable.Base {
    /** Writes the members of the object, between its braces. */
    @FunctionalInterface
    interface Members {
        void write(JsonGenerator g) throws IOException;
    }

    private final Members members;

    private EventData(Members members) {
        this.members = members;
    }

    /** The data whose object has the members {@code members} writes. */
    static CloudEventData of(Members members) {
        return JsonCloudEventData.wrap(new POJONode(new EventData(members)));
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider serializers) throws IOException {
        g.writeStartObject();
        members.write(g);
        g.writeEndObject();
    }

    /** Type information is never written: the data is plain JSON. */
    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider serializers, TypeSerializer typeSer)
            throws IOException {
        serialize(g, serializers);
    }
}
