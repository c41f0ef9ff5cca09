package io.cellos.telemetry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.event.EventFormat;
import io.cellos.telemetry.host.event.EventReader;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sink.EventEncoder;

import java.io.IOException;

/**
 * What {@code cellos events tail --format F} prints for each event it reads: with
 * {@code cloudevents}, the event as it is stored; with {@code ocsf}, an event whose data is OCSF
 * already as it is stored (its signature intact), and one in the receiver's own format read back
 * ({@link EventReader}) and written as OCSF — the bytes {@code host listen --format ocsf} would
 * have written, signed with the environment's key when one is set, else unsigned (a signature
 * covers the bytes it was made over).
 *
 * <p>Not thread-safe; one per tail.
 */
final class TailFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventFormat format;
    private final EventEncoder encoder;

    /** @param signer signs the events this converts, or {@code null} */
    TailFormat(EventFormat format, EventSigner signer) {
        this.format = format;
        this.encoder = new EventEncoder(signer);
    }

    /**
     * The line to print for the stored event {@code json}, without its newline.
     *
     * @throws IllegalArgumentException if it must be converted and cannot be: not JSON, or not an
     *                                  event of this receiver's (the message says which member)
     */
    byte[] apply(byte[] json) {
        if (format == EventFormat.CLOUDEVENTS) {
            return json;
        }
        JsonNode event;
        try {
            event = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable: " + e.getMessage(), e);
        }
        if (event == null) {
            throw new IllegalArgumentException("empty");
        }
        if (EventReader.formatOf(event) == format) {
            return json;
        }
        try {
            return encoder.encode(EventReader.read(event).in(format).cloudEvent());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be written or signed: " + e.getMessage(), e);
        }
    }
}
