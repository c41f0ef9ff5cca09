package io.cellos.telemetry.host.sink.nats;

import io.cellos.telemetry.wire.Durations;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
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
    /** The de-duplication window of a stream the sink creates (JetStream's default, stated). */
    static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(2);
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
        } catch (IOException e) {
            throw noJetStream(target, e);
        }
        if (!takesEvents(existing.getSubjects())) {
            throw new IOException("stream " + target.stream() + " exists with subjects " + existing.getSubjects()
                    + ", which do not take " + Subjects.ALL + "; the sink never reconfigures a stream: add the"
                    + " subject to it yourself, or name another stream in nats://HOST:PORT/STREAM");
        }
        List<String> differences = differences(existing, target);
        if (!differences.isEmpty()) {
            warnings.println("cellos: stream " + target.stream() + " exists and is used as it is ("
                    + String.join(", ", differences) + "); the sink's stream options apply only when it creates the"
                    + " stream");
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
                .duplicateWindow(DUPLICATE_WINDOW)
                .build();
    }

    private static void create(JetStreamManagement jsm, NatsTarget target) throws IOException {
        try {
            jsm.addStream(configuration(target));
        } catch (JetStreamApiException e) {
            throw new IOException("JetStream refused to create stream " + target.stream() + ": "
                    + e.getErrorDescription(), e);
        } catch (IOException e) {
            throw noJetStream(target, e);
        }
    }

    /** A JetStream request the server did not answer: most likely, JetStream is not enabled. */
    private static IOException noJetStream(NatsTarget target, IOException e) {
        return new IOException("NATS at " + target.serverUrl() + " does not answer JetStream requests (" + e.getMessage()
                + "); is JetStream enabled (nats-server -js)?", e);
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
        if (!existing.getDuplicateWindow().equals(DUPLICATE_WINDOW)) {
            d.add("de-duplication window " + Durations.format(existing.getDuplicateWindow()) + ", not "
                    + Durations.format(DUPLICATE_WINDOW));
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
