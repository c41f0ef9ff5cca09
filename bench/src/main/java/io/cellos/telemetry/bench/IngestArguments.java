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
 * @param toFile        whether events go to a file ({@code --sink file}) or are serialized and
 *                      dropped ({@code --sink discard})
 * @param clients       threads that write the guests' streams
 * @param rounds        runs in this JVM; the first is a warm-up for the JIT and left out of the
 *                      summary
 * @param blockBytes    the most bytes a guest writes with one {@code write(2)}
 */
record IngestArguments(int cells, int framesPerCell, int loops, boolean toFile, int clients, int rounds,
                       int blockBytes) {
    static final String USAGE = """
            usage: IngestHarness [--cells N] [--frames-per-cell M] [--loops L] [--sink file|discard]
                                 [--clients T] [--rounds R] [--block-bytes B]
              defaults: 1 cell, 2000000 frames per cell, 1 loop, file, 1 client thread, 4 rounds,
                        65536 bytes per write""";

    IngestArguments {
        if (cells < 1 || framesPerCell < 1 || loops < 1 || clients < 1 || rounds < 2) {
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
        defaults.put("clients", "1");
        defaults.put("rounds", "4");
        defaults.put("block-bytes", "65536");
        HarnessFlags f = HarnessFlags.parse(args, defaults);
        boolean toFile = switch (f.string("sink")) {
            case "file" -> true;
            case "discard" -> false;
            default -> throw new IllegalArgumentException("--sink is file or discard, not " + f.string("sink"));
        };
        return new IngestArguments(f.integer("cells"), f.integer("frames-per-cell"), f.integer("loops"), toFile,
                f.integer("clients"), f.integer("rounds"), f.integer("block-bytes"));
    }

    /** Frames all guests send together. */
    long totalFrames() {
        return (long) cells * framesPerCell;
    }

    @Override
    public String toString() {
        return "--cells " + cells + " --frames-per-cell " + framesPerCell + " --loops " + loops + " --sink "
                + (toFile ? "file" : "discard") + " --clients " + clients + " --rounds " + rounds + " --block-bytes "
                + blockBytes;
    }
}
