package io.cellos.telemetry.host.sink;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cellos.telemetry.host.sign.EventChain;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.EventSigningException;
import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One thread's share of a sink: events serialized (and signed) into lines that wait to be written
 * out together ({@link JsonLinesSink}), or are taken one by one ({@code NatsSink}).
 *
 * <p>Events are serialized by the CloudEvents SDK's own Jackson serializer
 * ({@link JsonFormat#getCloudEventJacksonModule()}, the one {@link JsonFormat#serialize} uses), so
 * a line holds the same bytes {@code JsonFormat} makes; one generator is reused for every event, so
 * no generator, buffer or copy is made per event.
 *
 * <p>Not thread-safe: whoever uses it holds its monitor. Its thread appends lines; any thread may
 * write them out.
 */
final class LineBuffer {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE) // flushed once per event, by append()
            .registerModule(JsonFormat.getCloudEventJacksonModule());

    private final Bytes bytes;
    private JsonGenerator generator;
    private int lineStart;
    private int lines;

    /** @param capacity the bytes it holds before it grows */
    LineBuffer(int capacity) {
        this.bytes = new Bytes(capacity);
        this.generator = newGenerator();
    }

    private JsonGenerator newGenerator() {
        try {
            JsonGenerator g = MAPPER.createGenerator(bytes);
            g.setRootValueSeparator(null); // each event is alone in its line
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException("a generator over memory cannot fail to open", e);
        }
    }

    /**
     * Appends {@code event} as a new line, not yet ended: its CloudEvents JSON, or, with a
     * {@code signer}, that JSON signed and linked into {@code chain}.
     *
     * @throws IOException saying which event and why, if it cannot be serialized or signed; then
     *                     nothing is appended
     */
    void append(CloudEvent event, EventSigner signer, EventChain chain) throws IOException {
        lineStart = bytes.size();
        try {
            MAPPER.writeValue(generator, event);
            generator.flush();
        } catch (IOException | RuntimeException e) {
            bytes.truncate(lineStart);
            generator = newGenerator(); // the old one may still hold part of the event
            throw new IOException("cannot serialize event " + event.getId() + ": " + e.getMessage(), e);
        }
        if (signer != null) {
            try {
                replaceLastLine(signer.sign(lastLine(), chain).getBytes(StandardCharsets.UTF_8));
            } catch (EventSigningException e) {
                bytes.truncate(lineStart);
                throw new IOException("cannot sign event " + event.getId() + ": " + e.getMessage(), e);
            }
        }
    }

    /** A copy of the line appended last. */
    byte[] lastLineBytes() {
        return Arrays.copyOfRange(bytes.array(), lineStart, bytes.size());
    }

    private String lastLine() {
        return new String(bytes.array(), lineStart, bytes.size() - lineStart, StandardCharsets.UTF_8);
    }

    private void replaceLastLine(byte[] line) {
        bytes.truncate(lineStart);
        bytes.write(line, 0, line.length);
    }

    /** Takes back the line appended last. */
    void removeLastLine() {
        bytes.truncate(lineStart);
    }

    /** Ends the line appended last: it is now due to be written out. */
    void endLine() {
        bytes.write('\n');
        lines++;
    }

    /** Bytes of ended lines waiting to be written out. */
    int size() {
        return bytes.size();
    }

    /** Ended lines waiting to be written out. */
    int lines() {
        return lines;
    }

    /** Writes every ended line to {@code out} (one write), then forgets them, written or not. */
    void writeTo(OutputStream out) throws IOException {
        try {
            out.write(bytes.array(), 0, bytes.size());
        } finally {
            bytes.reset();
            lines = 0;
        }
    }

    /** A byte array stream that can be read in place and cut back. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes(int capacity) {
            super(capacity);
        }

        byte[] array() {
            return buf;
        }

        void truncate(int size) {
            count = size;
        }
    }
}
