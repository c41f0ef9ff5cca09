package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.event.EventFacts;
import io.cellos.telemetry.host.sink.EventSink;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.FrameDecoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At least 100,000 random and mutated frames through real UNIX sockets into one cell while a
 * well-behaved cell of the same receiver streams valid frames.
 *
 * <p>The bad cell's agent pins its session first. Then come two kinds of connection: verified ones,
 * whose first frame presents the session and whose other frames are hostile (a buggy or subverted
 * agent: the decoder's test), and strangers, whose first frame is hostile and is followed by more
 * frames, some carrying the agent's session (the refusal's test). The receiver must survive, keep
 * its memory bounded, deliver every valid frame of the good cell in order, account for every frame
 * of a verified connection (emitted or counted, never silently lost), and refuse, count and declare
 * every stranger without emitting anything it sent.
 */
class FuzzTest {
    static final int FUZZ_FRAMES = 100_000;
    static final int FRAMES_PER_CONNECTION = 1_000;
    /** Frames a stranger sends after its first; the receiver must never look at them. */
    static final int STRANGER_TAIL = 10;
    static final int GOOD_FRAMES = 20_000;
    static final ProbeSource[] SOURCES = ProbeSource.values();

    @TempDir
    Path dir;

    /** Counts events per cell; keeps the good cell's sequence numbers in arrival order. */
    static final class CountingSink implements EventSink {
        final AtomicLong fuzzGuestEvents = new AtomicLong();
        final AtomicLong fuzzDropReports = new AtomicLong();
        final AtomicLong fuzzRefusals = new AtomicLong();
        final AtomicLong goodRefusals = new AtomicLong();
        final List<Long> goodSequence = new ArrayList<>();

        @Override
        public void emit(CellEvent e) {
            boolean good = e.stamp().cellId().equals("good");
            switch (e.facts()) {
                case EventFacts.ChannelRefused r -> (good ? goodRefusals : fuzzRefusals).incrementAndGet();
                case EventFacts.Guest g when good -> {
                    synchronized (goodSequence) {
                        goodSequence.add(g.probe().guestMonotonicNs());
                    }
                }
                case EventFacts.Guest g -> fuzzGuestEvents.incrementAndGet();
                default -> {
                    if (!good) {
                        fuzzDropReports.incrementAndGet();
                    }
                }
            }
        }

        @Override
        public long lost() {
            return 0;
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
            try (GuestClient agent = new GuestClient(bad.socketPath())) { // pins the session
                agent.send(ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 2, "cellos-agent", 0));
            }
            long sent = 1; // on verified connections: every frame the receiver must account for
            long emitted = 1; // of those, what it must turn into events
            long strangers = 0;
            long strangersUndecodable = 0;
            while (sent < FUZZ_FRAMES) {
                ByteArrayOutputStream stream = new ByteArrayOutputStream();
                if (rnd.nextInt(4) == 0) {
                    byte[] first = hostileBody(rnd);
                    if (!isValid(first)) {
                        strangersUndecodable++;
                    }
                    stream.writeBytes(GuestClient.frameOf(first));
                    for (int i = 0; i < STRANGER_TAIL; i++) {
                        stream.writeBytes(i % 2 == 0 ? GuestClient.encodeFirst(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED,
                                4_242_424, "rt-forged", i)) : GuestClient.frameOf(hostileBody(rnd)));
                    }
                    strangers++;
                    try (GuestClient g = new GuestClient(bad.socketPath(), null)) {
                        g.raw(stream.toByteArray()); // small enough for the socket's buffer: never refused mid-write
                    }
                    continue;
                }
                stream.writeBytes(GuestClient.encodeFirst(ProbeEvent.of(ProbeSource.TELEMETRY_DROPPED, 2, "cellos-agent",
                        sent).withExtensions(Extensions.NONE.withDroppedTotal(0))));
                sent++;
                emitted++;
                for (int i = 0; i < FRAMES_PER_CONNECTION; i++) {
                    byte[] body = hostileBody(rnd);
                    if (isValid(body)) {
                        emitted++;
                    }
                    stream.writeBytes(GuestClient.frameOf(body));
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

            // a stranger's first frame is counted for its cause if it does not decode, and the stranger once
            long expected = sent + strangersUndecodable + strangers;
            CellStats s = awaitAccounted(bad, expected);
            assertEquals(expected, s.framesEmitted() + s.droppedTotal(), "every fuzz frame emitted or counted: " + s);
            assertEquals(emitted, s.framesEmitted(), "the receiver accepts exactly what the decoder accepts, "
                    + "and nothing of a stranger");
            assertEquals(sink.fuzzGuestEvents.get(), s.framesEmitted());
            assertEquals(strangers, s.dropped().get(DropCause.CHANNEL_REFUSED), "every stranger refused: " + s);
            assertEquals(strangers, sink.fuzzRefusals.get(), "and declared");
            assertTrue(strangers > 10, "the fuzz made strangers: " + strangers);
            assertTrue(s.droppedTotal() > FUZZ_FRAMES / 2, "most fuzz frames are bad: " + s);
            assertEquals(0, s.openConnections(), "no connection state left behind");

            good.awaitStats(g -> g.framesEmitted() >= GOOD_FRAMES, Duration.ofSeconds(60));
            synchronized (sink.goodSequence) {
                assertEquals(GOOD_FRAMES, sink.goodSequence.size(), "every frame of the good cell came out");
                for (int i = 0; i < GOOD_FRAMES; i++) {
                    assertEquals(i, sink.goodSequence.get(i), "in order");
                }
            }
            assertEquals(0, good.stats().droppedTotal());
            assertEquals(0, sink.goodRefusals.get());
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

    private static CellStats awaitAccounted(CellHandle cell, long expected) throws Exception {
        return cell.awaitStats(s -> s.framesEmitted() + s.droppedTotal() >= expected && s.openConnections() == 0,
                Duration.ofSeconds(60));
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
                    "path", "peer", "session", "x"};
            int n = rnd.nextInt(9);
            for (int i = 0; i < n; i++) {
                String k = keys[rnd.nextInt(keys.length)];
                if (rnd.nextBoolean()) {
                    m.uint(k, rnd.nextLong());
                } else if (k.equals("session")) { // well-formed or not, never the pinned one
                    m.text(k, rnd.nextBoolean() ? HexFormat.of().formatHex(randomBytes(rnd, 16)) : "s" + rnd.nextInt());
                } else {
                    m.text(k, rnd.nextBoolean() ? SOURCES[rnd.nextInt(SOURCES.length)].wireName() : "s" + rnd.nextInt());
                }
            }
            return m.bytes();
        }
        return validBody(rnd);
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
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
