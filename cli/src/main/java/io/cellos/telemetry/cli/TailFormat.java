package io.cellos.telemetry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.event.EventFormat;
import io.cellos.telemetry.host.event.EventReader;
import io.cellos.telemetry.host.sign.EventChain;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sink.EventEncoder;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code cellos events tail --format F} prints for each event it reads: with
 * {@code cloudevents}, the event as it is stored; with {@code ocsf}, an event whose data is OCSF
 * already as it is stored (its signature intact), and one in the receiver's own format read back
 * ({@link EventReader}) and written as OCSF — the bytes {@code host listen --format ocsf} would
 * have written, signed with the environment's key when one is set, else unsigned (a signature
 * covers the bytes it was made over). Converted events signed here form one new hash chain per cell
 * and run, in the order they are printed (protocol.md §7.9).
 *
 * <p>Not thread-safe; one per tail.
 */
final class TailFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventFormat format;
    private final EventEncoder encoder;
    private final Map<String, EventChain> chains = new HashMap<>();

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
            EventReader.ReadEvent read = EventReader.read(event);
            EventChain chain = chains.computeIfAbsent(read.stamp().cellId() + "\0" + read.stamp().runId(),
                    k -> new EventChain());
            return encoder.encode(read.in(format, chain));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be written or signed: " + e.getMessage(), e);
        }
    }
}
