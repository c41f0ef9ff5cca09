package io.cellos.telemetry.bench;

import io.cellos.telemetry.wire.Wire;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an {@link IngestHarness} run does.
 *
 * @param cells         cells bound, one guest connection each
 * @param framesPerCell frames each guest sends
 * @param loops         the receiver's I/O threads
 * @param sink          where events go: a file ({@code --sink file}), serialized and dropped
 *                      ({@code --sink discard}), or NATS JetStream ({@code --sink nats}, with acks)
 * @param nats          the NATS server for {@code --sink nats}: {@code nats://HOST:PORT}; each round
 *                      publishes to a stream of its own, removed after the round
 * @param clients       threads that write the guests' streams
 * @param rounds        runs in this JVM; the first is a warm-up for the JIT and left out of the
 *                      summary
 * @param blockBytes    the most bytes a guest writes with one {@code write(2)}
 */
record IngestArguments(int cells, int framesPerCell, int loops, Sink sink, String nats, int clients, int rounds,
                       int blockBytes, int inFlight) {
    /** Where a round's events go. */
    enum Sink { FILE, DISCARD, NATS }

    static final String USAGE = """
            usage: IngestHarness [--cells N] [--frames-per-cell M] [--loops L] [--sink file|discard|nats]
                                 [--nats nats://HOST:PORT] [--in-flight F] [--clients T] [--rounds R]
                                 [--block-bytes B]
              defaults: 1 cell, 2000000 frames per cell, 1 loop, file, nats://127.0.0.1:4222,
                        256 in flight (nats), 1 client thread, 4 rounds, 65536 bytes per write""";

    IngestArguments {
        if (cells < 1 || framesPerCell < 1 || loops < 1 || clients < 1 || rounds < 2 || inFlight < 1) {
            throw new IllegalArgumentException("cells, frames, loops and clients must be positive, rounds at least 2");
        }
        if (blockBytes < 2 * Wire.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("--block-bytes must hold at least two frames of the largest size");
        }
    }

    /** Parses {@code --name value} pairs over the defaults (see {@link #USAGE}). */
    static IngestArguments parse(String[] args) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("cells", "1");
        defaults.put("frames-per-cell", "2000000");
        defaults.put("loops", "1");
        defaults.put("sink", "file");
        defaults.put("nats", "nats://127.0.0.1:4222");
        defaults.put("in-flight", "256");
        defaults.put("clients", "1");
        defaults.put("rounds", "4");
        defaults.put("block-bytes", "65536");
        HarnessFlags f = HarnessFlags.parse(args, defaults);
        Sink sink = switch (f.string("sink")) {
            case "file" -> Sink.FILE;
            case "discard" -> Sink.DISCARD;
            case "nats" -> Sink.NATS;
            default -> throw new IllegalArgumentException("--sink is file, discard or nats, not " + f.string("sink"));
        };
        return new IngestArguments(f.integer("cells"), f.integer("frames-per-cell"), f.integer("loops"), sink,
                f.string("nats"), f.integer("clients"), f.integer("rounds"), f.integer("block-bytes"),
                f.integer("in-flight"));
    }

    /** Frames all guests send together. */
    long totalFrames() {
        return (long) cells * framesPerCell;
    }

    /** Events the sink holds once the receiver has closed: one per frame, and each cell's {@code record_closed}. */
    long totalEvents() {
        return totalFrames() + cells;
    }

    @Override
    public String toString() {
        return "--cells " + cells + " --frames-per-cell " + framesPerCell + " --loops " + loops + " --sink "
                + sink.name().toLowerCase(java.util.Locale.ROOT)
                + (sink == Sink.NATS ? " --nats " + nats + " --in-flight " + inFlight : "")
                + " --clients " + clients + " --rounds " + rounds + " --block-bytes " + blockBytes;
    }
}
