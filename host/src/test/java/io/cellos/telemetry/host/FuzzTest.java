package io.cellos.telemetry.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.FrameDecoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At least 100,000 random and mutated frames through real UNIX sockets into one cell while a
 * well-behaved cell of the same receiver streams valid frames. The receiver must survive, keep its
 * memory bounded, deliver every valid frame of the good cell in order, and account for every frame
 * of the bad cell: emitted or counted, never silently lost.
 */
class FuzzTest {
    static final int FUZZ_FRAMES = 100_000;
    static final int FRAMES_PER_CONNECTION = 1_000;
    static final int GOOD_FRAMES = 20_000;
    static final ProbeSource[] SOURCES = ProbeSource.values();

    @TempDir
    Path dir;

    /** Counts events per cell; keeps the good cell's sequence numbers in arrival order. */
    static final class CountingSink implements EventSink {
        static final ObjectMapper MAPPER = new ObjectMapper();
        final AtomicLong fuzzGuestEvents = new AtomicLong();
        final AtomicLong fuzzDropReports = new AtomicLong();
        final List<Long> goodSequence = new ArrayList<>();

        @Override
        public void emit(CloudEvent e) {
            boolean good = e.getSource().toString().endsWith(":good");
            boolean hostMade = e.getType().endsWith("agent_silenced") || e.getId().contains("/dropped/");
            if (good && !hostMade) {
                try {
                    JsonNode d = MAPPER.readTree(e.getData().toBytes());
                    synchronized (goodSequence) {
                        goodSequence.add(d.get("guest_monotonic_ns").asLong());
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            } else if (!good) {
                (hostMade ? fuzzDropReports : fuzzGuestEvents).incrementAndGet();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public long lost() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void hostileFramesAreCountedWhileAGoodCellLosesNothing() throws Exception {
        CountingSink sink = new CountingSink();
        long heapBefore = usedHeapAfterGc();
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5)), sink,
                System.err)) {
            CellHandle good = receiver.bind(dir.resolve("good"), new CellStamp("good", "r", null));
            CellHandle bad = receiver.bind(dir.resolve("bad"), new CellStamp("bad", "r", null));

            Thread goodGuest = Thread.ofPlatform().start(() -> {
                try (GuestClient g = new GuestClient(good.socketPath())) {
                    for (int i = 0; i < GOOD_FRAMES; i++) {
                        g.send(ProbeEvent.of(SOURCES[i % SOURCES.length], i % 4_000_000, "good", i));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            Random rnd = new Random(20261121L);
            long sent = 0;
            long locallyValid = 0;
            while (sent < FUZZ_FRAMES) {
                ByteArrayOutputStream stream = new ByteArrayOutputStream();
                for (int i = 0; i < FRAMES_PER_CONNECTION; i++) {
                    byte[] body = hostileBody(rnd);
                    if (isValid(body)) {
                        locallyValid++;
                    }
                    byte[] prefix = new byte[Wire.HEADER_BYTES];
                    Wire.writeLength(prefix, 0, body.length);
                    stream.writeBytes(prefix);
                    stream.writeBytes(body);
                    sent++;
                }
                switch (rnd.nextInt(4)) { // how the connection ends
                    case 0 -> { // a length prefix that loses the framing
                        byte[] prefix = new byte[Wire.HEADER_BYTES];
                        Wire.writeLength(prefix, 0, rnd.nextBoolean() ? 0 : Wire.MAX_BODY_BYTES + 1 + rnd.nextInt(1 << 20));
                        stream.writeBytes(prefix);
                        sent++;
                    }
                    case 1 -> { // in the middle of a frame
                        byte[] f = GuestClient.encode(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 1, "cut", 1));
                        stream.writeBytes(Arrays.copyOf(f, 1 + rnd.nextInt(f.length - 1)));
                        sent++;
                    }
                    default -> { } // cleanly
                }
                try (GuestClient g = new GuestClient(bad.socketPath())) {
                    g.raw(stream.toByteArray());
                }
            }
            goodGuest.join();

            long expected = sent;
            CellStats s = awaitAccounted(bad, expected);
            assertEquals(expected, s.framesEmitted() + s.droppedTotal(), "every fuzz frame emitted or counted: " + s);
            assertEquals(locallyValid, s.framesEmitted(), "the receiver accepts exactly what the decoder accepts");
            assertEquals(sink.fuzzGuestEvents.get(), s.framesEmitted());
            assertTrue(s.droppedTotal() > FUZZ_FRAMES / 2, "most fuzz frames are bad: " + s);
            assertEquals(0, s.openConnections(), "no connection state left behind");

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (good.stats().framesEmitted() < GOOD_FRAMES && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            synchronized (sink.goodSequence) {
                assertEquals(GOOD_FRAMES, sink.goodSequence.size(), "every frame of the good cell came out");
                for (int i = 0; i < GOOD_FRAMES; i++) {
                    assertEquals(i, sink.goodSequence.get(i), "in order");
                }
            }
            assertEquals(0, good.stats().droppedTotal());
            assertTrue(sink.fuzzDropReports.get() > 0, "drops reached the output");
        }
        long growth = usedHeapAfterGc() - heapBefore;
        assertTrue(growth < 64L << 20, "heap grew by " + (growth >> 20) + " MiB");
    }

    private static boolean isValid(byte[] body) {
        try {
            FrameDecoder.decodeBody(body, 0, body.length);
            return true;
        } catch (FrameException e) {
            return false;
        }
    }

    private static CellStats awaitAccounted(CellHandle cell, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        CellStats s = cell.stats();
        while ((s.framesEmitted() + s.droppedTotal() < expected || s.openConnections() > 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = cell.stats();
        }
        return s;
    }

    /** A body: a valid frame with bytes flipped, resized, random bytes, or a hand-made map. */
    static byte[] hostileBody(Random rnd) {
        int kind = rnd.nextInt(10);
        if (kind < 4) {
            byte[] body = validBody(rnd);
            int flips = 1 + rnd.nextInt(3);
            for (int i = 0; i < flips; i++) {
                body[rnd.nextInt(body.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            return body;
        }
        if (kind < 5) {
            byte[] body = validBody(rnd);
            int len = Math.max(1, Math.min(Wire.MAX_BODY_BYTES, body.length + rnd.nextInt(21) - 10));
            return Arrays.copyOf(body, len);
        }
        if (kind < 7) {
            byte[] body = new byte[1 + rnd.nextInt(200)];
            rnd.nextBytes(body);
            return body;
        }
        if (kind < 9) {
            CborMap m = new CborMap();
            String[] keys = {"content_version", "probe_source", "guest_pid", "guest_comm", "guest_monotonic_ns",
                    "path", "peer", "x"};
            int n = rnd.nextInt(9);
            for (int i = 0; i < n; i++) {
                String k = keys[rnd.nextInt(keys.length)];
                if (rnd.nextBoolean()) {
                    m.uint(k, rnd.nextLong());
                } else {
                    m.text(k, rnd.nextBoolean() ? SOURCES[rnd.nextInt(SOURCES.length)].wireName() : "s" + rnd.nextInt());
                }
            }
            return m.bytes();
        }
        return validBody(rnd);
    }

    static byte[] validBody(Random rnd) {
        ProbeEvent e = ProbeEvent.of(SOURCES[rnd.nextInt(SOURCES.length)], rnd.nextInt() & 0xffffffffL,
                "p" + rnd.nextInt(1000), rnd.nextLong());
        if (rnd.nextBoolean()) {
            e = e.withExtensions(Extensions.NONE.withParentPid(rnd.nextInt(1 << 22)).withPath("/tmp/f" + rnd.nextInt()));
        }
        byte[] f = GuestClient.encode(e);
        return Arrays.copyOfRange(f, Wire.HEADER_BYTES, f.length);
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
