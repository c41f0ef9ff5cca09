package io.cellos.telemetry.host;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Turns what one cell's guest sent, and what its host witnessed, into CloudEvents (protocol.md §7).
 *
 * <p>Guest fields are copied from the decoded frame; the stamp ({@code cell_id}, {@code run_id},
 * {@code spec_signature_hash}), the time of receipt and the {@code output} record are the host's
 * alone. Event ids are derived from run, connection and frame number, so the same frame always
 * gets the same id.
 *
 * <p>Stateless apart from its configuration; safe to share between threads.
 */
public final class EventProjector {
    /** The prefix of every event type. */
    public static final String TYPE_PREFIX = "cell.observability.guest.";
    /** The type of the host-made event for a cell whose agent went silent. */
    public static final String TYPE_SILENCED = TYPE_PREFIX + "agent_silenced";
    /** The type of drop reports, the agent's and the host's. */
    public static final String TYPE_DROPPED = TYPE_PREFIX + "telemetry.dropped";

    private static final JsonFactory JSON = new JsonFactory();

    private final CellStamp stamp;
    private final URI source;
    private final String socket;

    /**
     * @param stamp  the cell's attribution
     * @param socket the path of the socket the cell's frames arrive on, recorded in {@code output}
     */
    public EventProjector(CellStamp stamp, String socket) {
        this.stamp = stamp;
        this.source = sourceOf(stamp.cellId());
        this.socket = socket;
    }

    /** The CloudEvents {@code source} of a cell: stable for the cell's life. */
    public static URI sourceOf(String cellId) {
        return URI.create("urn:cellos:cell:" + cellId);
    }

    /** The event for one accepted guest frame: frame {@code frame} of connection {@code connection}. */
    public CloudEvent guest(ProbeEvent e, long connection, long frame, Instant receivedAt) {
        return build(TYPE_PREFIX + e.source().wireName(), stamp.runId() + "/c" + connection + "/f" + frame, receivedAt,
                g -> {
                    GuestFieldsJson.write(g, e);
                    writeStamp(g, receivedAt);
                    g.writeObjectFieldStart("output");
                    g.writeStringField("socket", socket);
                    g.writeNumberField("connection", connection);
                    g.writeNumberField("frame", frame);
                    g.writeEndObject();
                });
    }

    /**
     * The host-made event for a cell from which nothing arrived for a whole keep-alive window.
     *
     * @param lastFrameAt when the last frame arrived, or {@code null} if none ever did
     */
    public CloudEvent silenced(Instant at, long keepaliveMillis, Instant lastFrameAt, long framesReceived) {
        return build(TYPE_SILENCED, stamp.runId() + "/silenced", at, g -> {
            g.writeStringField("origin", "host");
            g.writeNumberField("keepalive_ms", keepaliveMillis);
            if (lastFrameAt != null) {
                g.writeStringField("last_frame_at", DateTimeFormatter.ISO_INSTANT.format(lastFrameAt));
            } else {
                g.writeNullField("last_frame_at");
            }
            g.writeNumberField("frames_received", framesReceived);
            writeStamp(g, at);
        });
    }

    /**
     * A host-made drop report: the cumulative counts of what the host discarded, by cause.
     *
     * @param seq               this report's number within the run, from 1
     * @param counts            indexed by {@link DropCause#ordinal()}
     * @param agentDroppedTotal the highest {@code dropped_total} the agent reported, or -1
     * @param lastRejection     why the latest frame was refused, or {@code null}
     */
    public CloudEvent hostDropped(long seq, Instant at, long[] counts, long agentDroppedTotal, String lastRejection) {
        return build(TYPE_DROPPED, stamp.runId() + "/dropped/" + seq, at, g -> {
            g.writeStringField("origin", "host");
            long total = 0;
            g.writeObjectFieldStart("host_dropped");
            for (DropCause c : DropCause.values()) {
                long n = counts[c.ordinal()];
                if (n != 0) {
                    g.writeNumberField(c.code(), n);
                    total += n;
                }
            }
            g.writeEndObject();
            g.writeNumberField("host_dropped_total", total);
            if (agentDroppedTotal >= 0) {
                GuestFieldsJson.writeU64(g, "agent_dropped_total", agentDroppedTotal);
            } else {
                g.writeNullField("agent_dropped_total");
            }
            if (lastRejection != null) {
                g.writeStringField("last_rejection", lastRejection);
            }
            writeStamp(g, at);
        });
    }

    private void writeStamp(JsonGenerator g, Instant at) throws IOException {
        g.writeStringField("cell_id", stamp.cellId());
        g.writeStringField("run_id", stamp.runId());
        g.writeStringField("host_received_at", DateTimeFormatter.ISO_INSTANT.format(at));
        if (stamp.specSignatureHash() != null) {
            g.writeStringField("spec_signature_hash", stamp.specSignatureHash());
        } else {
            g.writeNullField("spec_signature_hash");
        }
    }

    @FunctionalInterface
    private interface DataWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private CloudEvent build(String type, String id, Instant at, DataWriter data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            data.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return CloudEventBuilder.v1()
                .withId(id)
                .withSource(source)
                .withType(type)
                .withTime(OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(bytes.toByteArray())
                .build();
    }
}
