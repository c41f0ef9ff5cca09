package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;

/** Realistic host output lines, made with the CloudEvents SDK the receiver uses. */
final class SampleEvents {
    static final EventFormat JSON_FORMAT = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
    private static final JsonMapper MAPPER = new JsonMapper();

    private SampleEvents() {
    }

    /**
     * Frame {@code frame} of a cell's run: an {@code fs.inotify_fired} event whose path holds
     * non-ASCII text and a character above U+FFFF, with the host stamp and its nested
     * {@code output} record.
     */
    static String line(int frame) {
        ObjectNode data = MAPPER.createObjectNode()
                .put("content_version", 0x0101)
                .put("probe_source", "fs.inotify_fired")
                .put("guest_pid", 4242)
                .put("guest_comm", "café")
                .put("guest_monotonic_ns", 8_123_456_789_012L + frame)
                .put("path", "/work/naïve \"notes\"/😀.txt")
                .put("cell_id", "cell-7f3a")
                .put("run_id", "run-01JX4Q2Z")
                .put("host_received_at", "2025-06-01T12:00:00.123456Z")
                .put("spec_signature_hash", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        data.putObject("output")
                .put("socket_path", "/run/cellos/cell-7f3a/vsock.sock_9001")
                .put("connection", 1)
                .put("frame", frame);
        CloudEvent event = CloudEventBuilder.v1()
                .withId("run-01JX4Q2Z/1/" + frame)
                .withSource(URI.create("urn:cellos:cell:7f3a"))
                .withType("cell.observability.guest.fs.inotify_fired")
                .withTime(OffsetDateTime.parse("2025-06-01T12:00:00.123456Z").plusNanos(1_000L * frame))
                .withDataContentType("application/json")
                .withData(data.toString().getBytes(StandardCharsets.UTF_8))
                .build();
        return new String(JSON_FORMAT.serialize(event), StandardCharsets.UTF_8);
    }
}
