package io.cellos.telemetry.host.sink.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StreamConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NatsSink} and {@link NatsTail} against a real nats-server with JetStream on loopback. */
class NatsSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NatsServer server;
    private final ByteArrayOutputStream warningBytes = new ByteArrayOutputStream();
    private final PrintStream warnings = new PrintStream(warningBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void start() throws Exception {
        server = NatsServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void createsTheStreamAndStoresEveryEventOnceWithItsSubjectIdAndBytes() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url("/EV?max-age=1h&max-bytes=64MiB"));
        List<CellEvent> sent = new ArrayList<>();
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            for (int i = 1; i <= 500; i++) {
                CellEvent e = guest(i % 2 == 0 ? "cell-a" : "cell-b", i, i % 3 == 0 ? ProbeSource.PROCESS_EXITED
                        : ProbeSource.PROCESS_SPAWNED);
                sent.add(e);
                sink.emit(e);
            }
            await(() -> sink.acknowledged() == 500, "all 500 acknowledged");
            assertEquals(0, sink.lost());
        }
        assertTrue(warningBytes.toString().contains("created JetStream stream EV"), warningBytes.toString());

        try (Connection c = Nats.connect(target.serverUrl())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamConfiguration config = jsm.getStreamInfo("EV").getConfiguration();
            assertEquals(List.of("cellos.events.>"), config.getSubjects());
            assertEquals(Duration.ofHours(1), config.getMaxAge());
            assertEquals(64L << 20, config.getMaxBytes());
            assertEquals(500, jsm.getStreamInfo("EV").getStreamState().getMsgCount());
            EventEncoder encoder = new EventEncoder(null);
            for (int seq = 1; seq <= 500; seq++) {
                MessageInfo m = jsm.getMessage("EV", seq);
                CloudEvent e = sent.get(seq - 1).cloudEvent();
                String suffix = e.getType().substring(EventProjector.TYPE_PREFIX.length());
                String cell = e.getSource().toString().substring("urn:cellos:cell:".length());
                assertEquals("cellos.events." + cell + "." + suffix, m.getSubject());
                assertEquals(cell + ":" + e.getId(), m.getHeaders().getFirst("Nats-Msg-Id"));
                assertEquals("application/cloudevents+json; charset=utf-8", m.getHeaders().getFirst("Content-Type"));
                assertArrayEquals(encoder.encode(e), m.getData(), "the body is the JSON line, byte for byte");
            }
        }

        List<String> cellA = tailIds(target, Subjects.filter("cell-a", null), null);
        assertEquals(sent.stream().map(CellEvent::cloudEvent).filter(e -> e.getSource().toString().endsWith("cell-a"))
                        .map(CloudEvent::getId).toList(),
                cellA, "one cell's events, in order");
        List<String> exited = tailIds(target, Subjects.filter(null, "process.exited"), null);
        assertEquals(166, exited.size());
        assertEquals(exited, tailIds(target, Subjects.filter(null, EventProjector.TYPE_PREFIX + "process.exited"), null),
                "a type given whole or as its suffix");
    }

    @Test
    void aChannelRefusalIsPublishedUnderASubjectOfItsType() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url("/REFUSALS"));
        CellEvent refusal = new EventProjector(new CellStamp("cell-a", "run-1", null), "/run/cells/cell-a.vsock_9001")
                .channelRefused(1, Instant.parse("2026-11-21T12:00:00Z"), 9001, 2, "no session on its first frame",
                        SessionCheck.PINNED);
        assertEquals("cellos.events.cell-a.channel_refused", Subjects.of(refusal));
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            sink.emit(refusal);
            sink.emit(guest("cell-a", 1, ProbeSource.PROCESS_SPAWNED));
            await(() -> sink.acknowledged() == 2, "two acks");
        }
        assertEquals(List.of("run-1/refused/1"), tailIds(target, Subjects.filter(null, "channel_refused"), null));
    }

    @Test
    void theRetentionPolicyIsTheTargets() throws Exception {
        try (NatsSink sink = NatsSink.open(NatsTarget.parse(server.url("/WQ?retention=workqueue")), null, warnings)) {
            assertEquals("WQ", sink.target().stream());
        }
        try (Connection c = Nats.connect(server.url(""))) {
            assertEquals(RetentionPolicy.WorkQueue, c.jetStreamManagement().getStreamInfo("WQ").getConfiguration()
                    .getRetentionPolicy());
        }
    }

    @Test
    void aReSentEventIsStoredOnce() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url(""));
        CellEvent e = guest("cell-a", 1, ProbeSource.PROCESS_SPAWNED);
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            sink.emit(e);
            sink.emit(guest("cell-a", 2, ProbeSource.PROCESS_SPAWNED));
            sink.emit(e);
            await(() -> sink.acknowledged() == 3, "three acks");
            assertEquals(1, sink.duplicates());
        }
        assertEquals(List.of(e.cloudEvent().getId(), guest("cell-a", 2, ProbeSource.PROCESS_SPAWNED).cloudEvent().getId()),
                tailIds(target, Subjects.ALL, null));
    }

    @Test
    void cellsThatShareARunIdAreNotTakenForDuplicates() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url(""));
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            emit(sink, "cell-a", 1);
            emit(sink, "cell-b", 1); // same run id, connection and frame: the same CloudEvents id
            await(() -> sink.acknowledged() == 2, "two acks");
            assertEquals(0, sink.duplicates());
        }
        assertEquals(2, tailIds(target, Subjects.ALL, null).size());
    }

    @Test
    void anExistingStreamIsUsedAsItIsAndNeverReconfigured() throws Exception {
        try (Connection c = Nats.connect(server.url(""))) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("KEEP").subjects("cellos.events.>")
                    .maxAge(Duration.ofDays(30)).build());
            jsm.addStream(StreamConfiguration.builder().name("OTHER").subjects("audit.>").build());
        }
        try (NatsSink sink = NatsSink.open(NatsTarget.parse(server.url("/KEEP?max-age=1h")), null, warnings)) {
            sink.emit(guest("cell-a", 1, ProbeSource.PROCESS_SPAWNED));
            await(() -> sink.acknowledged() == 1, "published into the existing stream");
        }
        assertTrue(warningBytes.toString().contains("stream KEEP exists and is used as it is (max-age 30d, not 1h)"),
                warningBytes.toString());
        IOException refused = assertThrows(IOException.class,
                () -> NatsSink.open(NatsTarget.parse(server.url("/OTHER")), null, warnings));
        assertTrue(refused.getMessage().contains("do not take cellos.events.>"), refused.getMessage());
        try (Connection c = Nats.connect(server.url(""))) {
            JetStreamManagement jsm = c.jetStreamManagement();
            assertEquals(Duration.ofDays(30), jsm.getStreamInfo("KEEP").getConfiguration().getMaxAge());
            assertEquals(List.of("audit.>"), jsm.getStreamInfo("OTHER").getConfiguration().getSubjects());
        }
    }

    @Test
    void natsStoppedAndRestartedLosesNothingTheBufferHeldAndKeepsTheOrder() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url("/EV?buffer=1000&in-flight=32&ack-wait=1s"));
        List<String> ids = new ArrayList<>();
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            for (int i = 1; i <= 200; i++) {
                ids.add(emit(sink, "cell-a", i));
            }
            await(() -> sink.acknowledged() == 200, "the first 200 acknowledged");
            server.stop();
            for (int i = 201; i <= 700; i++) {
                ids.add(emit(sink, "cell-a", i));
            }
            Thread.sleep(1500); // the publisher meets the outage and keeps holding
            server.startAgain();
            await(() -> sink.acknowledged() >= 700, "the 500 held acknowledged after the restart");
            assertEquals(0, sink.lost());
        }
        List<String> stored = tailIds(target, Subjects.ALL, null);
        assertEquals(ids.size(), stored.size(), "every event once");
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(ids.get(i), stored.get(i), "event " + i + " in order");
        }
        String told = warningBytes.toString();
        assertTrue(told.contains("is not acknowledging events") && told.contains("acknowledges again"), told);
    }

    @Test
    void beyondTheBoundEventsAreCountedToldAndReportedPerCell() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url("/EV?buffer=50&in-flight=8&ack-wait=1s"));
        List<String> ids = new ArrayList<>();
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            server.stop();
            for (int i = 1; i <= 200; i++) {
                ids.add(emit(sink, i <= 120 ? "cell-a" : "cell-b", i));
            }
            assertEquals(150, sink.lost(), "50 held, 150 dropped and counted at once");
            server.startAgain();
            await(() -> sink.acknowledged() >= 52, "the 50 held and two drop reports acknowledged");
            assertEquals(150, sink.lost());
        }
        List<JsonNode> stored = tail(target, Subjects.ALL, null);
        List<JsonNode> reports = stored.stream().filter(n -> n.get("type").asText().equals(EventProjector.TYPE_DROPPED)).toList();
        assertEquals(ids.subList(0, 50), stored.stream().filter(n -> !reports.contains(n)).map(n -> n.get("id").asText())
                .toList(), "the first 50 emitted were held and delivered in order");
        assertEquals(2, reports.size(), "one report per cell: " + reports);
        long reported = 0;
        for (JsonNode r : reports) {
            assertEquals(EventProjector.TYPE_DROPPED, r.get("type").asText());
            JsonNode data = r.get("data");
            assertEquals("host", data.get("origin").asText());
            assertEquals("nats", data.get("sink").asText());
            assertEquals("run-1", data.get("run_id").asText(), "the cell's stamp, taken from its events");
            long n = data.get("host_dropped").get("sink_overflow").asLong();
            assertEquals(n, data.get("host_dropped_total").asLong());
            reported += n;
        }
        assertEquals(150, reported, "delivered + reported dropped == emitted");
        assertTrue(warningBytes.toString().contains("dropping and counting new ones"), warningBytes.toString());
    }

    @Test
    void eventsInFlightWhenNatsStopsAreSentAgainStoredOnceAndInOrder() throws Exception {
        int events = 30_000; // enough that the publisher is still at work when the server goes
        NatsTarget target = NatsTarget.parse(server.url("/EV?buffer=40000&in-flight=256&ack-wait=1s"));
        List<String> ids = new ArrayList<>();
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            for (int i = 1; i <= events; i++) {
                ids.add(emit(sink, "cell-a", i));
            }
            await(() -> sink.acknowledged() > 0, "the first acks");
            server.stop(); // with events in flight: some stored, their acks lost, others never received
            long before = sink.acknowledged();
            Thread.sleep(1500);
            server.startAgain();
            await(() -> sink.acknowledged() >= events, "every event acknowledged after the restart");
            assertEquals(0, sink.lost());
            assertTrue(before < events, "the outage met events still in flight (" + before + " acknowledged before it)");
        }
        List<String> stored = tailIds(target, Subjects.ALL, null);
        assertEquals(ids.size(), stored.size(), "every event once");
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(ids.get(i), stored.get(i), "event " + i + " in order");
        }
    }

    @Test
    void eventsJetStreamRefusesAreCountedAndDoNotHoldUpTheRest() throws Exception {
        try (Connection c = Nats.connect(server.url(""))) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("SMALL").subjects("cellos.events.>")
                    .maxMsgSize(1200).build());
        }
        NatsTarget target = NatsTarget.parse(server.url("/SMALL?ack-wait=1s"));
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            sink.emit(guest("cell-a", 1, ProbeSource.PROCESS_SPAWNED));
            sink.emit(bigGuest("cell-a", 2));
            sink.emit(guest("cell-a", 3, ProbeSource.PROCESS_SPAWNED));
            await(() -> sink.acknowledged() == 3 && sink.lost() == 1, "two stored, one refused and counted, its report stored");
        }
        String told = warningBytes.toString();
        assertTrue(told.contains("JetStream refused event cell-a:run-1/c1/f2"), told);
        assertTrue(!told.contains("not acknowledging"), "a refusal is not an outage: " + told);
        List<JsonNode> stored = tail(target, Subjects.ALL, null);
        assertEquals(List.of("run-1/c1/f1", "run-1/c1/f3"), stored.stream()
                .filter(n -> !n.get("type").asText().equals(EventProjector.TYPE_DROPPED)).map(n -> n.get("id").asText()).toList());
        JsonNode report = stored.stream().filter(n -> n.get("type").asText().equals(EventProjector.TYPE_DROPPED))
                .findFirst().orElseThrow();
        assertEquals(1, report.get("data").get("host_dropped").get("sink_rejected").asLong(), report.toString());
        assertEquals("run-1", report.get("data").get("run_id").asText(), "the cell's stamp, though no event of it was lost before");
    }

    @Test
    void anEventThatCannotBeSignedIsCountedAndReportedForItsCell() throws Exception {
        EventSigner signer = EventSigner.create(SignAlgorithm.HMAC_SHA256, "k1",
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]));
        NatsTarget target = NatsTarget.parse(server.url(""));
        CellEvent good = guest("cell-a", 2, ProbeSource.PROCESS_SPAWNED);
        CellEvent unsignable = new CellEvent(CloudEventBuilder.v1().withId("run-1/odd")
                .withSource(EventProjector.sourceOf("cell-a")).withType(EventProjector.TYPE_PREFIX + "process.spawned")
                .withDataContentType("application/json")
                .withData("{\"ratio\":1.5}".getBytes(StandardCharsets.UTF_8)).build(), // no canonical form: unsignable
                good.stamp(), good.facts());
        try (NatsSink sink = NatsSink.open(target, signer, warnings)) {
            sink.emit(guest("cell-a", 1, ProbeSource.PROCESS_SPAWNED));
            sink.emit(unsignable);
            await(() -> sink.acknowledged() == 2 && sink.lost() == 1, "the good event and the report stored, one lost");
        }
        List<JsonNode> stored = tail(target, Subjects.ALL, null);
        assertEquals(2, stored.size(), stored.toString());
        JsonNode report = stored.stream().filter(n -> n.get("type").asText().equals(EventProjector.TYPE_DROPPED))
                .findFirst().orElseThrow();
        assertEquals(1, report.get("data").get("host_dropped").get("sink_unencodable").asLong(), report.toString());
        assertEquals("run-1", report.get("data").get("run_id").asText(), "the cell's stamp, not read from the event");
        assertTrue(report.has("sig"), "the report is signed like every event");
        assertTrue(warningBytes.toString().contains("cannot sign event run-1/odd"), warningBytes.toString());
    }

    @Test
    void closingWhileNatsIsDownCountsWhatItHeldWithinTheDrain() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url("/EV?drain=1s&ack-wait=1s"));
        NatsSink sink = NatsSink.open(target, null, warnings);
        server.stop();
        for (int i = 1; i <= 100; i++) {
            emit(sink, "cell-a", i);
        }
        long start = System.nanoTime();
        sink.close();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 4000, "close took " + millis + " ms with drain=1s");
        assertEquals(100, sink.lost());
        assertEquals(0, sink.acknowledged());
        assertTrue(warningBytes.toString().contains("cell cell-a: 100 events not delivered"), warningBytes.toString());
    }

    @Test
    void manyEmittingThreadsKeepEachCellsOrder() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url(""));
        int cells = 4;
        int each = 500;
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < cells; c++) {
                String cell = "cell-" + c;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 1; i <= each; i++) {
                        emit(sink, cell, i);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            await(() -> sink.acknowledged() == cells * each, "every event acknowledged");
            assertEquals(0, sink.lost());
        }
        for (int c = 0; c < cells; c++) {
            List<String> ids = tailIds(target, Subjects.filter("cell-" + c, null), null);
            assertEquals(each, ids.size());
            for (int i = 0; i < each; i++) {
                assertEquals("run-1/c1/f" + (i + 1), ids.get(i), "cell-" + c + " in order");
            }
        }
    }

    @Test
    void aReadWithoutFollowEndsOnAStreamStillBeingWritten() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url(""));
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            for (int i = 1; i <= 200; i++) {
                emit(sink, "cell-a", i);
            }
            await(() -> sink.acknowledged() == 200, "200 acknowledged");
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 201; i <= 20_000 && !Thread.currentThread().isInterrupted(); i++) {
                    emit(sink, "cell-a", i);
                    if (i % 100 == 0) {
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            try {
                long n = NatsTail.read(target, Subjects.ALL, null, false, () -> false, json -> { });
                assertTrue(n >= 200, "at least what the stream held at the start: " + n);
            } finally {
                writer.interrupt();
                writer.join();
            }
        }
    }

    @Test
    void aDurableReaderCarriesOnWhereItStopped() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url(""));
        try (NatsSink sink = NatsSink.open(target, null, warnings)) {
            for (int i = 1; i <= 10; i++) {
                emit(sink, "cell-a", i);
            }
            await(() -> sink.acknowledged() == 10, "10 acknowledged");
            assertEquals(10, tailIds(target, Subjects.ALL, "reader").size());
            assertEquals(0, tailIds(target, Subjects.ALL, "reader").size(), "nothing new");
            for (int i = 11; i <= 15; i++) {
                emit(sink, "cell-a", i);
            }
            await(() -> sink.acknowledged() == 15, "15 acknowledged");
        }
        assertEquals(5, tailIds(target, Subjects.ALL, "reader").size(), "only the 5 new ones");
        assertEquals(15, tailIds(target, Subjects.ALL, null).size(), "an ordered reader reads them all");
    }

    @Test
    void unreachableNatsFailsAtOnceSayingWhatToDo() throws Exception {
        server.stop();
        IOException e = assertThrows(IOException.class,
                () -> NatsSink.open(NatsTarget.parse(server.url("")), null, warnings));
        assertTrue(e.getMessage().contains("cannot reach NATS at nats://127.0.0.1:" + server.port())
                && e.getMessage().contains("nats-server -js"), e.getMessage());
    }

    private static String emit(NatsSink sink, String cell, int frame) {
        CellEvent e = guest(cell, frame, ProbeSource.PROCESS_SPAWNED);
        sink.emit(e);
        return e.cloudEvent().getId();
    }

    /** A process.exec event with a long path: a larger message. */
    private static CellEvent bigGuest(String cell, int frame) {
        EventProjector p = new EventProjector(new CellStamp(cell, "run-1", null), "/run/cells/" + cell + ".vsock_9001");
        ProbeEvent e = ProbeEvent.of(ProbeSource.PROCESS_EXEC, 1000 + frame, "sh", 1_000_000L * frame)
                .withExtensions(io.cellos.telemetry.wire.Extensions.NONE.withPath("/" + "x".repeat(1500)));
        return p.guest(e, 1, frame, Instant.parse("2026-11-21T12:00:00Z").plusMillis(frame), SessionCheck.PINNED);
    }

    private static CellEvent guest(String cell, int frame, ProbeSource source) {
        EventProjector p = new EventProjector(new CellStamp(cell, "run-1", null), "/run/cells/" + cell + ".vsock_9001");
        return p.guest(ProbeEvent.of(source, 1000 + frame, "sh", 1_000_000L * frame), 1, frame,
                Instant.parse("2026-11-21T12:00:00Z").plusMillis(frame), SessionCheck.PINNED);
    }

    private static List<String> tailIds(NatsTarget target, String filter, String durable) throws Exception {
        return tail(target, filter, durable).stream().map(n -> n.get("id").asText()).toList();
    }

    private static List<JsonNode> tail(NatsTarget target, String filter, String durable) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        NatsTail.read(target, filter, durable, false, () -> false, json -> {
            JsonNode n = JSON.readTree(json);
            assertTrue(seen.add(n.get("source").asText() + " " + n.get("id").asText()), "no event twice: " + n.get("id"));
            events.add(n);
        });
        return events;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
