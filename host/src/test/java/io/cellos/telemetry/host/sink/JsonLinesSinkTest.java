package io.cellos.telemetry.host.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sign.EventChain;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink's lines are, byte for byte, what the CloudEvents SDK's own {@link JsonFormat} makes of
 * the projector's events, whichever thread emits them, and they are written out in batches; an
 * event's {@code data} reads back as the line's {@code data} member; what cannot be serialized or
 * written is counted.
 */
class JsonLinesSinkTest {
    static final JsonFormat FORMAT = new JsonFormat();
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Guest and host-made events with escapes, non-ASCII text, a character above U+FFFF and u64 values. */
    static List<CellEvent> events() {
        EventProjector p = new EventProjector(new CellStamp("cell-1", "run:1", "sha256:ab/+="),
                "/run/cellos/na\u00efve \"cell\"/\ud83d\ude00\\v.sock_9001");
        EventProjector noHash = new EventProjector(new CellStamp("c", "r", null), "/s_9001");
        Instant at = Instant.parse("2026-11-21T15:04:05.120Z");
        long[] drops = new long[DropCause.values().length];
        drops[0] = 3;
        List<CellEvent> events = new ArrayList<>();
        events.add(p.guest(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 42, "sh", 1_000_000_000L), 1, 1, at,
                SessionCheck.PINNED));
        events.add(p.guest(ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, 7, "caf\u00e9\u0001\"", -1L)
                .withExtensions(Extensions.NONE.withPath("/w/\ud83d\ude00 \u4e2d.txt").withDroppedTotal(1L << 60)), 2, 9,
                at.plusNanos(123_456_789), SessionCheck.NONE_COMPATIBILITY_MODE));
        events.add(noHash.guest(ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 1, "x", 5)
                .withExtensions(Extensions.NONE.withCapability(21).withSyscall(165)), 1, 1, Instant.EPOCH,
                SessionCheck.PINNED));
        events.add(p.silenced(at, 10_000, null, 0, SessionCheck.NOT_PINNED_YET));
        events.add(p.silenced(at, 10_000, at.minusNanos(1_000), 17, SessionCheck.PINNED));
        events.add(p.hostDropped(1, at, drops, -1, null, SessionCheck.PINNED));
        events.add(p.hostDropped(2, at, drops, -5, "connection 1 frame 2: bad \"key\"", SessionCheck.PINNED));
        events.add(p.channelRefused(1, at, 9001, 3, "no session on its first frame", SessionCheck.PINNED));
        return events;
    }

    @Test
    void linesAreWhatTheSdkFormatMakes() throws Exception {
        List<CellEvent> events = events();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesSink sink = new JsonLinesSink(out, null, System.err, true)) {
            Thread other = Thread.ofPlatform().start(() -> { // a second thread, with its own buffer
                events.forEach(sink::emit);
                sink.flush();
            });
            other.join();
            events.forEach(sink::emit);
        }
        assertEquals(sdkLines(events) + sdkLines(events), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFlushWritesOutWhatEveryThreadEmitted() throws Exception {
        List<CellEvent> events = events();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesSink sink = new JsonLinesSink(out, null, System.err, true)) {
            Thread other = Thread.ofPlatform().start(() -> events.forEach(sink::emit));
            other.join();
            assertEquals("", out.toString(StandardCharsets.UTF_8), "lines wait for a flush or a full buffer");
            sink.flush();
            assertEquals(sdkLines(events), out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void manyLinesAreWrittenOutInBatchesInOrder() throws Exception {
        EventProjector p = new EventProjector(new CellStamp("c", "r", null), "/s_9001");
        List<CellEvent> events = new ArrayList<>();
        for (int i = 1; i <= 2_000; i++) {
            events.add(p.guest(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, i, "w", i), 1, i, Instant.EPOCH,
                    SessionCheck.PINNED));
        }
        CountingStream out = new CountingStream();
        try (JsonLinesSink sink = new JsonLinesSink(out, null, System.err, true)) {
            events.forEach(sink::emit);
            assertTrue(out.writes > 0 && out.writes < 100, "written out in batches, not per event: " + out.writes);
        }
        assertEquals(sdkLines(events), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anEventThatCannotBeSerializedIsCountedAndTheNextOnesAreWhole() throws Exception {
        List<CellEvent> events = events();
        CellEvent first = events.getFirst();
        CellEvent broken = new CellEvent(CloudEventBuilder.v1(first.cloudEvent()).withData("application/json", () -> {
            throw new IllegalStateException("no bytes");
        }).build(), first.stamp(), first.facts(), first.chain());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        try (JsonLinesSink sink = new JsonLinesSink(out, null, new PrintStream(warnings, true, StandardCharsets.UTF_8),
                true)) {
            sink.emit(events.getFirst());
            sink.emit(broken);
            sink.emit(broken);
            events.forEach(sink::emit);
            assertEquals(2, sink.lost());
        }
        assertEquals(sdkLines(events.subList(0, 1)) + sdkLines(events), out.toString(StandardCharsets.UTF_8));
        assertTrue(warnings.toString(StandardCharsets.UTF_8).contains("cannot serialize event"), warnings::toString);
    }

    @Test
    void linesThatCannotBeWrittenAreCounted() {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        List<CellEvent> events = events();
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(full, null, new PrintStream(warnings, true, StandardCharsets.UTF_8), true);
        events.forEach(sink::emit);
        sink.flush();
        assertEquals(events.size(), sink.lost());
        assertTrue(warnings.toString(StandardCharsets.UTF_8).contains("No space left on device"), warnings::toString);
    }

    private static String sdkLines(List<CellEvent> events) {
        StringBuilder lines = new StringBuilder();
        for (CellEvent e : events) {
            lines.append(new String(FORMAT.serialize(e.cloudEvent()), StandardCharsets.UTF_8)).append('\n');
        }
        return lines.toString();
    }

    /** Keeps what is written and counts the writes. */
    static final class CountingStream extends ByteArrayOutputStream {
        int writes;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes++;
            super.write(b, off, len);
        }
    }

    @Test
    void dataReadsBackAsTheLinesDataMember() throws Exception {
        for (CellEvent e : events()) {
            JsonNode line = MAPPER.readTree(FORMAT.serialize(e.cloudEvent()));
            assertEquals(line.get("data"), MAPPER.readTree(e.cloudEvent().getData().toBytes()), e.cloudEvent().getId());
        }
    }

    @Test
    void signedLinesSignTheSdkFormat() throws Exception {
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
        EventSigner signer = EventSigner.create(SignAlgorithm.HMAC_SHA256, "k1", key);
        List<CellEvent> events = events();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesSink sink = new JsonLinesSink(out, signer, System.err, true)) {
            events.forEach(sink::emit);
        }
        // the same events signed again, each cell's into a fresh chain of its own, in the order emitted
        Map<EventChain, EventChain> replay = new IdentityHashMap<>();
        StringBuilder expected = new StringBuilder();
        for (CellEvent e : events) {
            expected.append(signer.sign(new String(FORMAT.serialize(e.cloudEvent()), StandardCharsets.UTF_8),
                    replay.computeIfAbsent(e.chain(), c -> new EventChain()))).append('\n');
        }
        assertEquals(2, replay.size(), "two cells, two chains");
        assertEquals(expected.toString(), out.toString(StandardCharsets.UTF_8));
    }
}
