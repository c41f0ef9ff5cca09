package io.cellos.telemetry.bench;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.CellStats;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.EventSink;
import io.cellos.telemetry.host.sink.JsonLinesSink;
import io.cellos.telemetry.host.sink.nats.NatsSink;
import io.cellos.telemetry.host.sink.nats.NatsTarget;
import io.cellos.telemetry.wire.Wire;
import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StreamState;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * One ingest round: a fresh receiver with its cells in a fresh temporary directory, every guest
 * connected, then timed from the guests' first write until every cell has handed every frame,
 * as an event, to the sink (NATS: until JetStream has acknowledged every event); then checked — each
 * cell emitted exactly its frames and dropped none, the sink lost nothing, and the file (or the
 * round's stream) holds one CloudEvents line (message) per frame.
 *
 * <p>The keep-alive is an hour, so the receiver makes no events of its own during a round.
 */
final class IngestRound {
    private static final String LOOP_THREAD_PREFIX = "cellos-receiver-";
    private static final Duration STALL_LIMIT = Duration.ofSeconds(20);
    private static final JsonFormat FORMAT = new JsonFormat();

    private final IngestArguments args;

    IngestRound(IngestArguments args) {
        this.args = args;
    }

    /**
     * Runs the round.
     *
     * @throws IllegalStateException if a check fails or the receiver stops making progress
     */
    IngestResult run(int round) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("cellos-ingest-");
        try {
            return run(round, dir);
        } finally {
            TempTree.delete(dir);
        }
    }

    private IngestResult run(int round, Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("events.jsonl");
        DiscardStream discard = new DiscardStream();
        NatsTarget target = args.sink() == IngestArguments.Sink.NATS ? NatsTarget.parse(args.nats() + "/INGEST_" + round
                + "_" + ProcessHandle.current().pid() + "?max-age=1h&ack-wait=30s&in-flight=" + args.inFlight()
                + "&buffer=" + Math.max(args.inFlight(), args.totalFrames())) : null;
        ReceiverOptions options = ReceiverOptions.defaults().withKeepalive(Duration.ofHours(1)).withLoops(args.loops());
        Guests guests;
        Measured measured;
        EventSink sink = switch (args.sink()) {
            case FILE -> new JsonLinesSink(Files.newOutputStream(file), null, System.err, true);
            case DISCARD -> new JsonLinesSink(discard, null, System.err, true);
            case NATS -> NatsSink.open(target, null, System.err);
        };
        try (sink) {
            try (Receiver receiver = Receiver.start(options, sink, System.err)) {
                guests = bindGuests(receiver, dir, round);
                measured = measure(guests, sink);
            }
            if (sink.lost() != 0) {
                throw new IllegalStateException("the sink lost " + sink.lost() + " events");
            }
        }
        long bytesOut = switch (args.sink()) {
            case FILE -> checkFile(file);
            case DISCARD -> discard.bytes();
            case NATS -> checkStream(target);
        };
        return new IngestResult(args.totalFrames(), measured.wallNanos(), measured.spent(), measured.guestCpuNanos(),
                guests.bytesIn(), bytesOut);
    }

    /** The round's cells, each with the guest stream that will write its traffic, and the bytes they will write in all. */
    private record Guests(List<CellHandle> cells, List<GuestStream> streams, long bytesIn) {
    }

    /** What a round measured: from the guests' first write until every event was handed over. */
    private record Measured(long wallNanos, ResourceSnapshot spent, long guestCpuNanos) {
    }

    /** Binds the round's cells on {@code receiver} and makes each one's guest stream (not yet connected). */
    private Guests bindGuests(Receiver receiver, Path dir, int round) throws IOException {
        List<CellHandle> cells = new ArrayList<>();
        List<GuestStream> streams = new ArrayList<>();
        long bytesIn = 0;
        try {
            for (int i = 0; i < args.cells(); i++) {
                CellHandle cell = receiver.bind(dir.resolve("cell-" + i),
                        new CellStamp("cell-" + i, "ingest-" + round, "sha256:ingest-harness-spec"));
                GuestTraffic traffic = new GuestTraffic(i, args.framesPerCell(), args.blockBytes());
                cells.add(cell);
                streams.add(new GuestStream(cell.socketPath(), traffic));
                bytesIn += traffic.streamBytes();
            }
        } catch (IOException | RuntimeException e) {
            for (GuestStream s : streams) {
                s.close(); // the rest are not connected yet; the receiver closes its side
            }
            throw e;
        }
        return new Guests(cells, streams, bytesIn);
    }

    /**
     * Lets the guests write, timed until every cell has handed every frame to {@code sink} (and,
     * for NATS, JetStream has acknowledged every event); then checks what the guests wrote and the cells emitted.
     */
    private Measured measure(Guests guests, EventSink sink) throws IOException, InterruptedException {
        try (GuestLoad load = new GuestLoad(guests.streams(), args.clients())) {
            awaitAccepted(guests.cells());
            long[] loopThreads = loopThreadIds();
            ResourceSnapshot before = ResourceSnapshot.take(loopThreads);
            long start = System.nanoTime();
            load.start();
            awaitEmitted(guests.cells());
            if (sink instanceof NatsSink nats) {
                awaitAcknowledged(nats);
            }
            long wall = System.nanoTime() - start;
            ResourceSnapshot spent = ResourceSnapshot.take(loopThreads).minus(before);
            load.await();
            if (load.bytesSent() != guests.bytesIn()) {
                throw new IllegalStateException("the guests wrote " + load.bytesSent() + " bytes, not " + guests.bytesIn());
            }
            checkCells(guests.cells());
            return new Measured(wall, spent, load.cpuNanos());
        }
    }

    private static void awaitAccepted(List<CellHandle> cells) {
        for (CellHandle c : cells) {
            long deadline = System.nanoTime() + STALL_LIMIT.toNanos();
            while (c.stats().openConnections() != 1) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the receiver did not accept the guest of " + c.stamp().cellId());
                }
                LockSupport.parkNanos(100_000);
            }
        }
    }

    /**
     * Waits until every cell has handed all its frames to the sink, asking one cell at a time
     * (each question is a task on the cell's I/O thread, so they are kept rare: one a
     * millisecond); gives up on a cell whose count stops moving.
     */
    private void awaitEmitted(List<CellHandle> cells) {
        for (CellHandle c : cells) {
            long seen = -1;
            long lastMove = System.nanoTime();
            for (long n; (n = c.stats().framesEmitted()) < args.framesPerCell(); ) {
                long now = System.nanoTime();
                if (n != seen) {
                    seen = n;
                    lastMove = now;
                } else if (now - lastMove > STALL_LIMIT.toNanos()) {
                    throw new IllegalStateException(c.stamp().cellId() + " stalled at " + n + " of "
                            + args.framesPerCell() + " frames: " + c.stats());
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /** Waits until JetStream has acknowledged every event; gives up when the count stops moving. */
    private void awaitAcknowledged(NatsSink sink) {
        long seen = -1;
        long lastMove = System.nanoTime();
        for (long n; (n = sink.acknowledged()) < args.totalFrames(); ) {
            long now = System.nanoTime();
            if (n != seen) {
                seen = n;
                lastMove = now;
            } else if (now - lastMove > STALL_LIMIT.toNanos()) {
                throw new IllegalStateException("JetStream acknowledgements stalled at " + n + " of "
                        + args.totalFrames() + "; lost " + sink.lost());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Checks that the round's stream holds one message per frame and per cell closed, none twice, removes it, and
     * returns the bytes it held.
     */
    private long checkStream(NatsTarget target) throws IOException {
        try (Connection c = Nats.connect(target.serverUrl())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamState state = jsm.getStreamInfo(target.stream()).getStreamState();
            if (state.getMsgCount() != args.totalEvents()) {
                throw new IllegalStateException("stream " + target.stream() + " holds " + state.getMsgCount()
                        + " messages, not " + args.totalEvents());
            }
            checkEvent(new String(jsm.getMessage(target.stream(), state.getFirstSequence()).getData(), StandardCharsets.UTF_8));
            checkEvent(new String(jsm.getMessage(target.stream(), state.getLastSequence()).getData(), StandardCharsets.UTF_8));
            jsm.deleteStream(target.stream());
            return state.getByteCount();
        } catch (JetStreamApiException e) {
            throw new IOException("reading back stream " + target.stream() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static long[] loopThreadIds() {
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(LOOP_THREAD_PREFIX))
                .mapToLong(Thread::threadId)
                .toArray();
        if (ids.length == 0) {
            throw new IllegalStateException("no receiver I/O thread named " + LOOP_THREAD_PREFIX + "* is running");
        }
        return ids;
    }

    private void checkCells(List<CellHandle> cells) {
        for (CellHandle c : cells) {
            CellStats s = c.stats();
            if (s.framesEmitted() != args.framesPerCell() || s.droppedTotal() != 0 || s.connections() != 1) {
                throw new IllegalStateException(c.stamp().cellId() + " should have emitted " + args.framesPerCell()
                        + " frames from 1 connection and dropped none: " + s);
            }
        }
    }

    /**
     * Checks that the file holds one line per frame and per cell closed, and that its first and last lines are
     * CloudEvents of this run.
     *
     * @return the file's size
     */
    private long checkFile(Path file) throws IOException {
        long lines = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        if (lines != args.totalEvents()) {
            throw new IllegalStateException(file + " holds " + lines + " lines, not " + args.totalEvents());
        }
        try (Stream<String> all = Files.lines(file)) {
            checkEvent(all.findFirst().orElseThrow());
        }
        checkEvent(lastLine(file));
        return Files.size(file);
    }

    private static String lastLine(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] tail = new byte[(int) Math.min(f.length(), 4 * Wire.MAX_FRAME_BYTES)];
            f.seek(f.length() - tail.length);
            f.readFully(tail);
            String s = new String(tail, StandardCharsets.UTF_8).stripTrailing();
            return s.substring(s.lastIndexOf('\n') + 1);
        }
    }

    private static void checkEvent(String line) {
        CloudEvent e = FORMAT.deserialize(line.getBytes(StandardCharsets.UTF_8));
        if (!e.getType().startsWith(EventProjector.TYPE_PREFIX) || e.getData() == null) {
            throw new IllegalStateException("not a guest event: " + line);
        }
    }
}
