package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;

/**
 * The receiver's own {@code data} ({@link EventFormat#CLOUDEVENTS}, protocol.md §7.1–§7.8): a
 * guest frame's fields under their wire names ({@link GuestFieldsJson}), or a host report's
 * counts and reasons, then the cell's stamp. No {@code dataschema}. Immutable.
 */
final class ReceiverJsonBody implements EventBody {
    private final CellJson cell;

    ReceiverJsonBody(CellJson cell) {
        this.cell = cell;
    }

    @Override
    public URI dataSchema(EventFacts facts) {
        return null;
    }

    @Override
    public EventData.Members data(EventFacts facts, String id, Instant at, SessionCheck check) {
        return switch (facts) {
            case EventFacts.Guest f -> g -> {
                GuestFieldsJson.write(g, f.probe());
                cell.writeStamp(g, at, check);
                cell.writeOutput(g, f);
            };
            case EventFacts.AgentSilenced f -> g -> {
                g.writeStringField("origin", "host");
                g.writeNumberField("keepalive_ms", f.keepaliveMillis());
                g.writeFieldName("last_frame_at");
                if (f.lastFrameAt() != null) {
                    cell.instant(g, f.lastFrameAt());
                } else {
                    g.writeNull();
                }
                g.writeNumberField("frames_received", f.framesReceived());
                cell.writeStamp(g, at, check);
            };
            case EventFacts.HostDropped f -> g -> {
                g.writeStringField("origin", "host");
                writeHostDropped(g, f.byCode(), f.total());
                writeAgentDroppedTotal(g, f.agentDroppedTotal());
                if (f.lastRejection() != null) {
                    g.writeStringField("last_rejection", f.lastRejection());
                }
                cell.writeStamp(g, at, check);
            };
            case EventFacts.RecordClosed f -> g -> {
                g.writeStringField("origin", "host");
                g.writeNumberField("frames_received", f.framesReceived());
                g.writeNumberField("connections", f.connections());
                g.writeNumberField("host_dropped_total", f.hostDroppedTotal());
                writeAgentDroppedTotal(g, f.agentDroppedTotal());
                cell.writeStamp(g, at, check);
            };
            case EventFacts.ChannelRefused f -> g -> {
                g.writeStringField("origin", "host");
                g.writeNumberField("port", f.port());
                g.writeNumberField("connection", f.connection());
                g.writeStringField("reason", f.reason());
                cell.writeStamp(g, at, check);
            };
            case EventFacts.SinkDropped f -> g -> {
                g.writeStringField("origin", "host");
                g.writeStringField("sink", f.sink());
                writeHostDropped(g, f.byCause(), f.total());
                g.writeNullField("agent_dropped_total");
                g.writeStringField("reason", f.reason());
                cell.writeStamp(g, at, check); // null: a sink does not know how the cell's channel was checked
            };
        };
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

    /** {@code agent_dropped_total}: the count, or {@code null} for -1 (the agent reported none). */
    private static void writeAgentDroppedTotal(JsonGenerator g, long agentDroppedTotal) throws IOException {
        if (agentDroppedTotal >= 0) {
            GuestFieldsJson.writeU64(g, "agent_dropped_total", agentDroppedTotal);
        } else {
            g.writeNullField("agent_dropped_total");
        }
    }
}
