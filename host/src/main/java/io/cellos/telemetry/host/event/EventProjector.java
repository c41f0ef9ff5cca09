package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.cellos.telemetry.host.sign.EventChain;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Turns what one cell's guest sent, and what its host witnessed, into CloudEvents (protocol.md §7),
 * each handed on with the cell's stamp and what it says, typed ({@link CellEvent}): the
 * {@link EventFacts} are the one home of the values, and the {@code data} JSON is written from them.
 *
 * <p>Guest fields are copied from the decoded frame; the stamp ({@code cell_id}, {@code run_id},
 * {@code spec_signature_hash}, {@code session_check}), the time of receipt and the {@code output}
 * record are the host's alone. Event ids are derived from run, connection and frame number, so the same frame always
 * gets the same id.
 *
 * <p>The {@code data} of an event is {@link EventData}: written when the event is serialized, from
 * values fixed when it was made. The names of the host's keys and the cell's fixed values are
 * pre-encoded, so the generator copies them instead of encoding them for every event.
 *
 * <p>Safe to share between threads.
 */
public final class EventProjector {
    /** The prefix of every event type. */
    public static final String TYPE_PREFIX = "cell.observability.guest.";
    static final String SILENCED = "agent_silenced";
    static final String DROPPED = "telemetry.dropped";
    static final String CHANNEL_REFUSED = "channel_refused";
    /** The type of the host-made event for a cell whose agent went silent. */
    public static final String TYPE_SILENCED = TYPE_PREFIX + SILENCED;
    /** The type of drop reports, the agent's and the host's. */
    public static final String TYPE_DROPPED = TYPE_PREFIX + DROPPED;
    /** The type of the host-made event for a connection the host refused to believe. */
    public static final String TYPE_CHANNEL_REFUSED = TYPE_PREFIX + CHANNEL_REFUSED;

    private static final String[] GUEST_TYPES = Arrays.stream(ProbeSource.values())
            .map(s -> TYPE_PREFIX + s.wireName())
            .toArray(String[]::new);
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
    private final EventChain chain;
    private final URI source;
    private final SerializableString cellId;
    private final SerializableString runId;
    private final SerializableString specSignatureHash;
    private final SerializableString socket;
    private final IsoInstant isoInstant = new IsoInstant();

    /**
     * A projector for a newly bound cell, whose events start a hash chain of their own.
     *
     * @param stamp  the cell's attribution
     * @param socket the path of the socket the cell's frames arrive on, recorded in {@code output};
     *               {@code null} for a projector that makes host reports only
     */
    public EventProjector(CellStamp stamp, String socket) {
        this(stamp, new EventChain(), socket);
    }

    /**
     * @param stamp  the cell's attribution
     * @param chain  the chain of the cell's events, which every event made here joins
     * @param socket the path of the socket the cell's frames arrive on, recorded in {@code output};
     *               {@code null} for a projector that makes host reports only (an event sink's)
     */
    public EventProjector(CellStamp stamp, EventChain chain, String socket) {
        this.stamp = stamp;
        this.chain = Objects.requireNonNull(chain, "chain");
        this.source = sourceOf(stamp.cellId());
        this.cellId = stringToken(stamp.cellId());
        this.runId = stringToken(stamp.runId());
        this.specSignatureHash = stamp.specSignatureHash() == null ? null : stringToken(stamp.specSignatureHash());
        this.socket = socket == null ? null : stringToken(socket);
    }

    /** The type of the events made from frames of {@code source}. */
    static String guestType(ProbeSource source) {
        return GUEST_TYPES[source.ordinal()];
    }

    /** The CloudEvents {@code source} of a cell: stable for the cell's life. */
    public static URI sourceOf(String cellId) {
        return URI.create("urn:cellos:cell:" + cellId);
    }

    /**
     * The event for one accepted guest frame: frame {@code frame} of connection {@code connection}.
     *
     * @param check what the cell's session check was when the frame's connection was accepted
     */
    public CellEvent guest(ProbeEvent e, long connection, long frame, Instant receivedAt, SessionCheck check) {
        if (socket == null) {
            throw new IllegalStateException("this projector makes host reports only: it has no socket");
        }
        EventFacts.Guest f = new EventFacts.Guest(e, connection, frame);
        return build(f, stamp.runId() + "/c" + connection + "/f" + frame, receivedAt, g -> {
            GuestFieldsJson.write(g, f.probe());
            writeStamp(g, receivedAt, check);
            g.writeFieldName(OUTPUT);
            g.writeStartObject();
            g.writeFieldName(SOCKET);
            g.writeRawValue(socket);
            g.writeFieldName(CONNECTION);
            g.writeNumber(f.connection());
            g.writeFieldName(FRAME);
            g.writeNumber(f.frame());
            g.writeEndObject();
        });
    }

    /**
     * The host-made event for a cell from which nothing arrived for a whole keep-alive window.
     *
     * @param lastFrameAt when the last frame arrived, or {@code null} if none ever did
     * @param check       the cell's session check now
     */
    public CellEvent silenced(Instant at, long keepaliveMillis, Instant lastFrameAt, long framesReceived,
                              SessionCheck check) {
        EventFacts.AgentSilenced f = new EventFacts.AgentSilenced(keepaliveMillis, lastFrameAt, framesReceived);
        return build(f, stamp.runId() + "/silenced", at, g -> {
            g.writeStringField("origin", "host");
            g.writeNumberField("keepalive_ms", f.keepaliveMillis());
            g.writeFieldName("last_frame_at");
            if (f.lastFrameAt() != null) {
                isoInstant.write(g, f.lastFrameAt());
            } else {
                g.writeNull();
            }
            g.writeNumberField("frames_received", f.framesReceived());
            writeStamp(g, at, check);
        });
    }

    /**
     * A host-made drop report: the cumulative counts of what the host discarded, by cause.
     *
     * @param seq               this report's number within the run, from 1
     * @param counts            indexed by {@link DropCause#ordinal()}; copied
     * @param agentDroppedTotal the highest {@code dropped_total} the agent reported, or -1
     * @param lastRejection     why the latest frame was refused, or {@code null}
     * @param check             the cell's session check now
     */
    public CellEvent hostDropped(long seq, Instant at, long[] counts, long agentDroppedTotal, String lastRejection,
                                 SessionCheck check) {
        EventFacts.HostDropped f = new EventFacts.HostDropped(DropCause.counts(counts), agentDroppedTotal,
                lastRejection);
        Map<String, Long> byCode = new LinkedHashMap<>();
        for (DropCause c : DropCause.values()) {
            Long n = f.byCause().get(c);
            if (n != null) {
                byCode.put(c.code(), n);
            }
        }
        return build(f, stamp.runId() + "/dropped/" + seq, at, g -> {
            g.writeStringField("origin", "host");
            writeHostDropped(g, byCode, f.total());
            if (f.agentDroppedTotal() >= 0) {
                GuestFieldsJson.writeU64(g, "agent_dropped_total", f.agentDroppedTotal());
            } else {
                g.writeNullField("agent_dropped_total");
            }
            if (f.lastRejection() != null) {
                g.writeStringField("last_rejection", f.lastRejection());
            }
            writeStamp(g, at, check);
        });
    }

    /**
     * The host-made event for a connection the host refused to believe (protocol.md §1.3): it was
     * closed at once and nothing on it became an event.
     *
     * @param seq        this refusal's number within the cell's refusals, from 1
     * @param port       the guest port the connection came to: 9001 (telemetry) or 9000 (exit code)
     * @param connection the connection's number on that port's socket
     * @param reason     why it was refused, in words
     * @param check      the cell's session check now
     */
    public CellEvent channelRefused(long seq, Instant at, int port, long connection, String reason,
                                    SessionCheck check) {
        EventFacts.ChannelRefused f = new EventFacts.ChannelRefused(port, connection, reason);
        return build(f, stamp.runId() + "/refused/" + seq, at, g -> {
            g.writeStringField("origin", "host");
            g.writeNumberField("port", f.port());
            g.writeNumberField("connection", f.connection());
            g.writeStringField("reason", f.reason());
            writeStamp(g, at, check);
        });
    }

    /**
     * A host-made drop report from an event sink: events of this cell that the sink could not
     * deliver downstream, cumulative, by cause. Its id ({@code <run>/sink-dropped/<seq>}) is apart
     * from the receiver's own reports.
     *
     * @param sink   the sink's kind, e.g. {@code "nats"}
     * @param seq    this report's number within the sink's reports for the run, from 1
     * @param counts cause code to count; copied
     * @param reason what went wrong, in words
     */
    public CellEvent sinkDropped(String sink, long seq, Instant at, Map<String, Long> counts, String reason) {
        EventFacts.SinkDropped f = new EventFacts.SinkDropped(sink, counts, reason);
        return build(f, stamp.runId() + "/sink-dropped/" + seq, at, g -> {
            g.writeStringField("origin", "host");
            g.writeStringField("sink", f.sink());
            writeHostDropped(g, f.byCause(), f.total());
            g.writeNullField("agent_dropped_total");
            g.writeStringField("reason", f.reason());
            writeStamp(g, at, null); // a sink does not know how the cell's channel was checked
        });
    }

    /** {@code host_dropped} (cause code to count, in the map's order) and {@code host_dropped_total}. */
    private static void writeHostDropped(JsonGenerator g, Map<String, Long> byCode, long total) throws IOException {
        g.writeObjectFieldStart("host_dropped");
        for (Map.Entry<String, Long> c : byCode.entrySet()) {
            g.writeNumberField(c.getKey(), c.getValue());
        }
        g.writeEndObject();
        g.writeNumberField("host_dropped_total", total);
    }

    /** The cell's stamp, then {@code session_check} unless {@code check} is {@code null}. */
    private void writeStamp(JsonGenerator g, Instant at, SessionCheck check) throws IOException {
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

    /**
     * The event saying {@code facts}, of type {@code facts.type()}. {@code data} must only read values
     * that never change (the facts, the stamp): it is written when the event is serialized.
     */
    private CellEvent build(EventFacts facts, String id, Instant at, EventData.Members data) {
        CloudEvent event = CloudEventBuilder.v1()
                .withId(id)
                .withSource(source)
                .withType(facts.type())
                .withTime(OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(EventData.of(data))
                .build();
        return new CellEvent(event, stamp, facts, chain);
    }
}
