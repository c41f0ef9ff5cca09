package io.cellos.telemetry.bench;

import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

import java.util.Arrays;

/**
 * The pre-encoded byte stream one guest sends during an ingest run: valid frames of what a busy
 * workload produces, so that the receiver's cost per frame is a realistic one.
 *
 * <p>A block of whole frames (at most {@code blockBytes}) is encoded once; the stream is that
 * block repeated, cut after exactly {@code frames} frames. Each simulated process goes through
 * {@code process.spawned} (with {@code parent_pid}), {@code process.exec} (with {@code path}), one
 * of {@code net.connect_attempted}, {@code fs.inotify_fired} or {@code capability.denied}, and
 * {@code process.exited}; pids are distinct per cell and the monotonic clock rises.
 *
 * <p>The block's first frame carries the guest's {@code session}, as an agent's first frame on a
 * connection does, so that the receiver takes the stream for the agent's (protocol.md §1.3). Every
 * repetition of the block carries it again; the receiver reads a session on the first frame only,
 * and the few bytes more are nothing next to a block.
 *
 * <p>Immutable after construction; the block may be read by any thread.
 */
final class GuestTraffic {
    private static final String[] COMMS = {"bash", "python3", "make", "cc1", "git-remote-http", "node", "curl"};
    private static final String[] PATHS = {"/usr/bin/python3", "/workspace/src/main.c", "/etc/resolv.conf",
            "/workspace/build/output/artifact-0001.tar.gz"};
    private static final String[] PEERS = {"10.0.2.15:443", "[2001:db8::1]:443", "192.168.100.7:5432"};
    private static final int EVENTS_PER_PROCESS = 4;

    private final byte[] block;
    private final int[] frameEnds;
    private final long frames;

    /**
     * @param cell       the cell's index, which makes its pids distinct from other cells'
     * @param frames     how many frames the whole stream holds
     * @param blockBytes the most bytes a block may hold
     */
    GuestTraffic(int cell, long frames, int blockBytes) {
        byte[] buf = new byte[blockBytes];
        int[] ends = new int[blockBytes / Wire.HEADER_BYTES];
        FrameEncoder encoder = new FrameEncoder();
        int used = 0;
        int count = 0;
        try {
            // Stop while any frame still fits, so that the block ends on a frame boundary.
            for (int i = 0; count < frames && blockBytes - used >= Wire.MAX_FRAME_BYTES; i++) {
                used += encoder.encode(event(cell, i), buf, used);
                ends[count++] = used;
            }
        } catch (FrameException e) {
            throw new IllegalStateException("a harness frame does not encode: " + e.getMessage(), e);
        }
        this.block = Arrays.copyOf(buf, used);
        this.frameEnds = Arrays.copyOf(ends, count);
        this.frames = frames;
    }

    /** The {@code i}-th event of {@code cell}'s workload; the first carries the cell's session. */
    private static ProbeEvent event(int cell, int i) {
        ProbeEvent e = workloadEvent(cell, i);
        return i == 0 ? e.withExtensions(e.extensions().withSession("%032x".formatted(cell))) : e;
    }

    private static ProbeEvent workloadEvent(int cell, int i) {
        int process = i / EVENTS_PER_PROCESS;
        long pid = 1_000L + (long) cell * 100_000 + process % 90_000;
        String comm = COMMS[process % COMMS.length];
        long monotonicNs = 1_000_000_000L + i * 13_579L;
        return switch (i % EVENTS_PER_PROCESS) {
            case 0 -> ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, pid, comm, monotonicNs)
                    .withExtensions(Extensions.NONE.withParentPid(pid - 1));
            case 1 -> ProbeEvent.of(ProbeSource.PROCESS_EXEC, pid, comm, monotonicNs)
                    .withExtensions(Extensions.NONE.withPath(PATHS[process % PATHS.length]));
            case 2 -> switch (process % 3) {
                case 0 -> ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, pid, comm, monotonicNs)
                        .withExtensions(Extensions.NONE.withPeer(PEERS[process % PEERS.length]));
                case 1 -> ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, pid, comm, monotonicNs)
                        .withExtensions(Extensions.NONE.withPath(PATHS[(process + 1) % PATHS.length]));
                default -> ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, pid, comm, monotonicNs)
                        .withExtensions(Extensions.NONE.withCapability(21).withSyscall(165));
            };
            default -> ProbeEvent.of(ProbeSource.PROCESS_EXITED, pid, comm, monotonicNs)
                    .withExtensions(Extensions.NONE.withExitCode((process % 5 == 0 ? 1 : 0) << 8));
        };
    }

    /** The repeated block of whole frames. */
    byte[] block() {
        return block;
    }

    /** The length of the whole stream: full blocks, then the frames that remain. */
    long streamBytes() {
        int perBlock = frameEnds.length;
        long tailFrames = frames % perBlock;
        return frames / perBlock * block.length + (tailFrames == 0 ? 0 : frameEnds[(int) tailFrames - 1]);
    }
}
