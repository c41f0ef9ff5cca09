package io.cellos.telemetry.host.sink.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.TestClock;
import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventFormat;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.OcsfSchema;
import io.cellos.telemetry.host.event.OcsfValidator;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.EventVerifier;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.host.sign.StreamVerification;
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
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NatsSink} and {@link NatsTail} against a real nats-server with JetStream on loopback.
 *
 * <p>Nothing sleeps: a test waits for what it needs (acks, a warning, threads waiting on the clock).
 * Where the sink's behaviour depends on time passing, it runs on a {@link TestClock}: held still
 * while NATS is down, so the publisher meets the outage once and pauses, then released to run as
 * the machine's once the server is back (whose start takes the time it takes); for the drain, moved
 * on by the test. Where an outage must meet events in flight, the server is frozen first, so they
 * are in flight however fast the machine.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a sink on a test clock that a failed test leaves waiting is ended
class NatsSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a test waits for what it needs: far beyond what the work takes, not a timing assertion. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private final Map<String, EventProjector> projectors = new ConcurrentHashMap<>(); // emitting threads share it

    private NatsServer server;
    private final Told told = new Told();
    private final PrintStream warnings = told.stream();

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
            assertTrue(sink.awaitAcknowledged(500, PATIENCE), "all 500 acknowledged");
            assertEquals(500, sink.acknowledged());
            assertEquals(0, sink.lost());
        }
        assertTrue(told.text().contains("created JetStream stream EV"), told.text());

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
                assertArrayEquals(encoder.encode(sent.get(seq - 1)), m.getData(), "the body is the JSON line, byte for byte");
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
            assertTrue(sink.awaitAcknowledged(2, PATIENCE), "two acks");
            assertEquals(2, sink.acknowledged());
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
            assertTrue(sink.awaitAcknowledged(3, PATIENCE), "three acks");
            assertEquals(3, sink.acknowledged());
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
            assertTrue(sink.awaitAcknowledged(2, PATIENCE), "two acks");
            assertEquals(2, sink.acknowledged());
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
            assertTrue(sink.awaitAcknowledged(1, PATIENCE), "published into the existing stream");
            assertEquals(1, sink.acknowledged());
        }
        assertTrue(told.text().contains("stream KEEP exists and is used as it is (max-age 30d, not 1h)"),
                told.text());
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
        TestClock clock = new TestClock();
        List<String> ids = new ArrayList<>();
        try (NatsSink sink = NatsSink.open(target, null, warnings, clock)) {
            for (int i = 1; i <= 200; i++) {
                ids.add(emit(sink, "cell-a", i));
            }
            assertTrue(sink.awaitAcknowledged(200, PATIENCE), "the first 200 acknowledged");
            server.stop();
            for (int i = 201; i <= 700; i++) {
                ids.add(emit(sink, "cell-a", i));
            }
            told.await("is not acknowledging events", PATIENCE); // it met the outage, and pauses on the clock
            assertEquals(200, sink.acknowledged(), "nothing more while NATS is down");
            server.startAgain();
            clock.release(); // its pause ends as the machine's time passes: it reconnects and sends the 500 again
            assertTrue(sink.awaitAcknowledged(700, PATIENCE), () -> "the 500 held acknowledged after the restart: "
                    + sink.acknowledged() + "; told: " + told.text());
            assertEquals(700, sink.acknowledged(), "each once");
            assertEquals(0, sink.lost());
        }
        List<String> stored = tailIds(target, Subjects.ALL, null);
        assertEquals(ids.size(), stored.size(), "every event once");
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(ids.get(i), stored.get(i), "event " + i + " in order");
        }
        String text = told.text();
        assertTrue(text.contains("is not acknowledging events") && text.contains("acknowledges again after "), text);
        assertEquals(1, text.split("is not acknowledging events", -1).length - 1, "one outage, told once: " + text);
        assertEquals(1, text.split("acknowledges again", -1).length - 1, "and its end once: " + text);
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
            assertTrue(sink.awaitAcknowledged(52, PATIENCE), "the 50 held and two drop reports acknowledged");
            assertEquals(52, sink.acknowledged());
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
        assertTrue(told.text().contains("dropping and counting new ones"), told.text());
    }

    @Test
    void eventsInFlightWhenNatsStopsAreSentAgainStoredOnceAndInOrder() throws Exception {
        int acknowledgedFirst = 100;
        int events = 1_000;
        NatsTarget target = NatsTarget.parse(server.url("/EV?buffer=2000&in-flight=64&ack-wait=1s"));
        TestClock clock = new TestClock();
        List<String> ids = new ArrayList<>();
        try (NatsSink sink = NatsSink.open(target, null, warnings, clock)) {
            for (int i = 1; i <= acknowledgedFirst; i++) {
                ids.add(emit(sink, "cell-a", i));
            }
            assertTrue(sink.awaitAcknowledged(acknowledgedFirst, PATIENCE), "the first acks");
            server.freeze(); // from now it acknowledges nothing: whatever is sent stays in flight
            for (int i = acknowledgedFirst + 1; i <= events; i++) {
                ids.add(emit(sink, "cell-a", i));
            }
            // the publisher sends a window of them and waits for acks that do not come; the clock stands
            // still, so it waits for as long as it takes the test to take the server away under it
            server.kill(); // with events in flight: sent, never stored, never acknowledged
            told.await("is not acknowledging events", PATIENCE);
            assertEquals(acknowledgedFirst, sink.acknowledged(), "the outage met every later event unacknowledged");
            server.startAgain();
            clock.release();
            assertTrue(sink.awaitAcknowledged(events, PATIENCE), () -> "every event acknowledged after the restart: "
                    + sink.acknowledged() + "; told: " + told.text());
            assertEquals(events, sink.acknowledged(), "each once, whether stored before the outage or after");
            assertEquals(0, sink.unexpectedDuplicates(), "a re-sent event stored before is an expected duplicate");
            assertEquals(0, sink.lost());
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
            assertTrue(sink.awaitAcknowledged(3, PATIENCE), "two stored and the refused one's report");
            assertEquals(3, sink.acknowledged());
            assertEquals(1, sink.lost(), "one refused and counted");
        }
        String text = told.text();
        assertTrue(text.contains("JetStream refused event cell-a:run-1/c1/f2"), text);
        assertTrue(!text.contains("not acknowledging"), "a refusal is not an outage: " + text);
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
        String key = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
        EventSigner signer = EventSigner.create(SignAlgorithm.HMAC_SHA256, "k1", key);
        NatsTarget target = NatsTarget.parse(server.url(""));
        CellEvent good = guest("cell-a", 2, ProbeSource.PROCESS_SPAWNED);
        CellEvent unsignable = unsignable(good);
        try (NatsSink sink = NatsSink.open(target, signer, warnings)) {
            sink.emit(good);
            sink.emit(unsignable);
            assertTrue(sink.awaitAcknowledged(2, PATIENCE), "the good event and the report stored");
            assertEquals(2, sink.acknowledged());
            assertEquals(1, sink.lost(), "the unsignable one lost and counted");
        }
        List<JsonNode> stored = tail(target, Subjects.ALL, null);
        assertEquals(2, stored.size(), stored.toString());
        JsonNode report = stored.stream().filter(n -> n.get("type").asText().equals(EventProjector.TYPE_DROPPED))
                .findFirst().orElseThrow();
        assertEquals(1, report.get("data").get("host_dropped").get("sink_unencodable").asLong(), report.toString());
        assertEquals("run-1", report.get("data").get("run_id").asText(), "the cell's stamp, not read from the event");
        assertTrue(report.has("sig"), "the report is signed like every event");
        assertTrue(told.text().contains("cannot sign event run-1/odd"), told.text());
        // the sink's report, made on its own thread, joins the cell's chain after the event it could send
        String lines = stored.stream().map(JsonNode::toString).reduce("", (a, b) -> a + b + "\n");
        assertEquals(new StreamVerification.Verified(2, List.of(new StreamVerification.Chain("cell-a", "run-1", 2,
                        "run-1/sink-dropped/1", false))),
                EventVerifier.create(SignAlgorithm.HMAC_SHA256, key).verifyStream(new StringReader(lines), true));
    }

    @Test
    void aSinkOfOcsfEventsReportsItsLossesInOcsf() throws Exception {
        EventSigner signer = EventSigner.create(SignAlgorithm.HMAC_SHA256, "k1",
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]));
        NatsTarget target = NatsTarget.parse(server.url(""));
        CellEvent unsignable = unsignable(guest("cell-a", 1, ProbeSource.PROCESS_SPAWNED));
        try (NatsSink sink = NatsSink.open(target, signer, EventFormat.OCSF, warnings)) {
            sink.emit(unsignable);
            assertTrue(sink.awaitAcknowledged(1, PATIENCE), "the report stored");
        }
        JsonNode report = tail(target, Subjects.ALL, null).getFirst();
        assertEquals("https://schema.ocsf.io/1.8.0/classes/base_event", report.get("dataschema").asText(), report.toString());
        assertEquals(1, report.at("/data/unmapped/host_dropped/sink_unencodable").asLong(), report.toString());
        assertEquals(List.of(), new OcsfValidator(new OcsfSchema()).errors(report.get("data")));
        assertTrue(report.has("sig"), "signed like every event");
    }

    /** An event of {@code like}'s cell whose data has no canonical form, so that it cannot be signed. */
    private static CellEvent unsignable(CellEvent like) {
        return new CellEvent(CloudEventBuilder.v1().withId("run-1/odd")
                .withSource(EventProjector.sourceOf("cell-a")).withType(EventProjector.TYPE_PREFIX + "process.spawned")
                .withDataContentType("application/json")
                .withData("{\"ratio\":1.5}".getBytes(StandardCharsets.UTF_8)).build(), like.stamp(), like.facts(),
                like.chain());
    }

    @Test
    void closingWhileNatsIsDownCountsWhatItHeldWithinTheDrain() throws Exception {
        NatsTarget target = NatsTarget.parse(server.url("/EV?drain=1s&ack-wait=1s"));
        TestClock clock = new TestClock();
        NatsSink sink = NatsSink.open(target, null, warnings, clock);
        server.stop();
        for (int i = 1; i <= 100; i++) {
            emit(sink, "cell-a", i);
        }
        told.await("is not acknowledging events", PATIENCE);
        Thread closer = Thread.ofPlatform().start(sink::close);
        clock.awaitWaiters(2, PATIENCE); // the publisher in its pause, the closer in the drain
        clock.advance(target.drain().minusMillis(1));
        clock.awaitWaiters(2, PATIENCE);
        assertTrue(closer.isAlive(), "close waits out the drain on the sink's clock");
        clock.advance(Duration.ofMillis(1));
        closer.join(PATIENCE.toMillis());
        assertFalse(closer.isAlive(), "close returns once the drain has passed on the clock");
        assertEquals(100, sink.lost());
        assertEquals(0, sink.acknowledged());
        assertTrue(told.text().contains("cell cell-a: 100 events not delivered"), told.text());
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
            assertTrue(sink.awaitAcknowledged(cells * each, PATIENCE), "every event acknowledged");
            assertEquals(cells * each, sink.acknowledged());
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
            assertTrue(sink.awaitAcknowledged(200, PATIENCE), "200 acknowledged");
            assertEquals(200, sink.acknowledged());
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 201; i <= 20_000 && !Thread.currentThread().isInterrupted(); i++) {
                    emit(sink, "cell-a", i);
                    try {
                        if (i % 100 == 0 && !sink.awaitAcknowledged(i, PATIENCE)) { // paced by the server
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
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
            assertTrue(sink.awaitAcknowledged(10, PATIENCE), "10 acknowledged");
            assertEquals(10, sink.acknowledged());
            assertEquals(10, tailIds(target, Subjects.ALL, "reader").size());
            assertEquals(0, tailIds(target, Subjects.ALL, "reader").size(), "nothing new");
            for (int i = 11; i <= 15; i++) {
                emit(sink, "cell-a", i);
            }
            assertTrue(sink.awaitAcknowledged(15, PATIENCE), "15 acknowledged");
            assertEquals(15, sink.acknowledged());
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

    private String emit(NatsSink sink, String cell, int frame) {
        CellEvent e = guest(cell, frame, ProbeSource.PROCESS_SPAWNED);
        sink.emit(e);
        return e.cloudEvent().getId();
    }

    /** A process.exec event with a long path: a larger message. */
    private CellEvent bigGuest(String cell, int frame) {
        EventProjector p = projector(cell);
        ProbeEvent e = ProbeEvent.of(ProbeSource.PROCESS_EXEC, 1000 + frame, "sh", 1_000_000L * frame)
                .withExtensions(io.cellos.telemetry.wire.Extensions.NONE.withPath("/" + "x".repeat(1500)));
        return p.guest(e, 1, frame, Instant.parse("2026-11-21T12:00:00Z").plusMillis(frame), SessionCheck.PINNED);
    }

    /** The projector of {@code cell}, bound once per test as a receiver binds a cell: one chain for all its events. */
    private EventProjector projector(String cell) {
        return projectors.computeIfAbsent(cell, c -> new EventProjector(new CellStamp(c, "run-1", null),
                "/run/cells/" + c + ".vsock_9001"));
    }

    private CellEvent guest(String cell, int frame, ProbeSource source) {
        return projector(cell).guest(ProbeEvent.of(source, 1000 + frame, "sh", 1_000_000L * frame), 1, frame,
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
}
