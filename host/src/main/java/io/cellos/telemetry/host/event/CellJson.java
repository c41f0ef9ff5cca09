package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What every event of one cell carries from the host, as JSON members: the stamp
 * ({@code cell_id}, {@code run_id}, {@code host_received_at}, {@code spec_signature_hash},
 * {@code session_check}) and the {@code output} record of a guest frame (protocol.md §7.1). Both
 * {@link EventBody} formats write them through here, so they are written one way.
 *
 * <p>The names of the keys and the cell's fixed values are pre-encoded, so the generator copies
 * them instead of encoding them for every event. Immutable but for its {@link IsoInstant}, which is
 * thread-safe: safe to share between threads.
 */
final class CellJson {
    private static final JsonFactory JSON = new JsonFactory();
    private static final SerializableString CELL_ID = new SerializedString("cell_id");
    private static final SerializableString RUN_ID = new SerializedString("run_id");
    private static final SerializableString HOST_RECEIVED_AT = new SerializedString("host_received_at");
    private static final SerializableString SPEC_SIGNATURE_HASH = new SerializedString("spec_signature_hash");
    private static final SerializableString SESSION_CHECK = new SerializedString("session_check");
    private static final SerializableString OUTPUT = new SerializedString("output");
    private static final SerializableString SOCKET = new SerializedString("socket");
    private static final SerializableString CONNECTION = new SerializedString("connection");
    private static final SerializableString FRAME = new SerializedString("frame");

    private final CellStamp stamp;
    private final SerializableString cellId;
    private final SerializableString runId;
    private final SerializableString specSignatureHash;
    private final SerializableString socket;
    private final IsoInstant isoInstant = new IsoInstant();

    /**
     * @param socket the path of the socket the cell's frames arrive on, or {@code null} for a cell
     *               whose events are host reports only (an event sink's)
     */
    CellJson(CellStamp stamp, String socket) {
        this.stamp = stamp;
        this.cellId = stringToken(stamp.cellId());
        this.runId = stringToken(stamp.runId());
        this.specSignatureHash = stamp.specSignatureHash() == null ? null : stringToken(stamp.specSignatureHash());
        this.socket = socket == null ? null : stringToken(socket);
    }

    CellStamp stamp() {
        return stamp;
    }

    /** Whether the cell has a socket, so that guest events can be made for it. */
    boolean hasSocket() {
        return socket != null;
    }

    /** Writes {@code t} as a JSON string value, as the SDK writes the event's {@code time}. */
    void instant(JsonGenerator g, Instant t) throws IOException {
        isoInstant.write(g, t);
    }

    /** The cell's stamp, then {@code session_check} unless {@code check} is {@code null}. */
    void writeStamp(JsonGenerator g, Instant at, SessionCheck check) throws IOException {
        g.writeFieldName(CELL_ID);
        g.writeRawValue(cellId);
        g.writeFieldName(RUN_ID);
        g.writeRawValue(runId);
        g.writeFieldName(HOST_RECEIVED_AT);
        isoInstant.write(g, at);
        g.writeFieldName(SPEC_SIGNATURE_HASH);
        if (specSignatureHash != null) {
            g.writeRawValue(specSignatureHash);
        } else {
            g.writeNull();
        }
        if (check != null) {
            g.writeFieldName(SESSION_CHECK);
            g.writeString(check.json());
        }
    }

    /** {@code output}: the socket the frame came on, its connection's and its own number. */
    void writeOutput(JsonGenerator g, EventFacts.Guest f) throws IOException {
        g.writeFieldName(OUTPUT);
        g.writeStartObject();
        g.writeFieldName(SOCKET);
        g.writeRawValue(socket);
        g.writeFieldName(CONNECTION);
        g.writeNumber(f.connection());
        g.writeFieldName(FRAME);
        g.writeNumber(f.frame());
        g.writeEndObject();
    }

    /**
     * {@code value} as the JSON string token, quotes and escapes included, that a UTF-8 generator
     * writes for it: to be copied with {@link JsonGenerator#writeRawValue(SerializableString)},
     * byte for byte what {@link JsonGenerator#writeString(String)} would write.
     */
    private static SerializableString stringToken(String value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length() + 16);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeString(value);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return new SerializedString(bytes.toString(StandardCharsets.UTF_8));
    }
}
