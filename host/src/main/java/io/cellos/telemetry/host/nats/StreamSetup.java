package io.cellos.telemetry.host.nats;

import io.cellos.telemetry.wire.Durations;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes sure the target's stream exists, and never changes one that does.
 *
 * <p>A missing stream is created: file storage, subjects {@code cellos.events.>}, with the target's
 * {@code retention}, {@code max-age}, {@code max-bytes} and {@code replicas}, and JetStream's default
 * de-duplication window (2 minutes), within which a re-sent event ({@code Nats-Msg-Id}) is stored
 * once. An existing stream is used as it is: if its limits differ from the target's, that is said on
 * the warning stream; if it does not take the subjects events are published on, the setup fails,
 * for publishing there could only fail.
 */
final class StreamSetup {
    /** JetStream's API error code for "stream not found". */
    private static final int STREAM_NOT_FOUND = 10059;

    private StreamSetup() {
    }

    /**
     * @return whether the stream was created
     * @throws IOException if the server cannot be asked, or the stream exists and does not take
     *                     {@code cellos.events.>}, saying what to do
     */
    static boolean ensure(JetStreamManagement jsm, NatsTarget target, PrintStream warnings) throws IOException {
        StreamConfiguration existing;
        try {
            existing = jsm.getStreamInfo(target.stream()).getConfiguration();
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                throw new IOException("JetStream refused to describe stream " + target.stream() + ": "
                        + e.getErrorDescription(), e);
            }
            create(jsm, target);
            return true;
        }
        if (!takesEvents(existing.getSubjects())) {
            throw new IOException("stream " + target.stream() + " exists with subjects " + existing.getSubjects()
                    + ", which do not take " + Subjects.ALL + "; the sink never reconfigures a stream: add the"
                    + " subject to it yourself, or name another stream in nats://HOST:PORT/STREAM");
        }
        List<String> differences = differences(existing, target);
        if (!differences.isEmpty()) {
            warnings.println("cellos: stream " + target.stream() + " exists and is used as it is ("
                    + String.join(", ", differences) + "); retention, max-age, max-bytes and replicas apply only when the"
                    + " sink creates the stream");
        }
        return false;
    }

    /** The configuration the sink creates a stream with. */
    static StreamConfiguration configuration(NatsTarget target) {
        return StreamConfiguration.builder()
                .name(target.stream())
                .description("CellOS guest telemetry as CloudEvents (one message per event)")
                .subjects(Subjects.ALL)
                .storageType(StorageType.File)
                .retentionPolicy(target.retention())
                .maxAge(target.maxAge())
                .maxBytes(target.maxBytes())
                .replicas(target.replicas())
                .build();
    }

    private static void create(JetStreamManagement jsm, NatsTarget target) throws IOException {
        try {
            jsm.addStream(configuration(target));
        } catch (JetStreamApiException e) {
            throw new IOException("JetStream refused to create stream " + target.stream() + ": "
                    + e.getErrorDescription(), e);
        }
    }

    private static boolean takesEvents(List<String> subjects) {
        return subjects.contains(Subjects.ALL) || subjects.contains(">") || subjects.contains("cellos.>");
    }

    private static List<String> differences(StreamConfiguration existing, NatsTarget target) {
        List<String> d = new ArrayList<>();
        if (!existing.getMaxAge().equals(target.maxAge())) {
            d.add("max-age " + Durations.format(existing.getMaxAge()) + ", not " + Durations.format(target.maxAge()));
        }
        if (existing.getMaxBytes() != target.maxBytes()) {
            d.add("max-bytes " + existing.getMaxBytes() + ", not " + target.maxBytes());
        }
        if (existing.getReplicas() != target.replicas()) {
            d.add("replicas " + existing.getReplicas() + ", not " + target.replicas());
        }
        if (existing.getRetentionPolicy() != target.retention()) {
            d.add("retention " + existing.getRetentionPolicy() + ", not " + target.retention());
        }
        return d;
    }
}
