package io.cellos.telemetry.bench;

import io.cellos.telemetry.wire.FrameDecoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Decoding one pre-encoded frame (prefix and body) into a {@link ProbeEvent}, with every check of
 * the contract. Goal: at most 300 ns per frame. The event is returned, so JMH consumes it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FrameDecodeBenchmark {
    private byte[] spawnFrame;
    private byte[] connectFrame;

    @Setup
    public void setUp() throws FrameException {
        spawnFrame = Frames.frame(Frames.spawnEvent());
        connectFrame = Frames.frame(Frames.connectEvent());
        if (!decodeSpawn().equals(Frames.spawnEvent()) || !decodeConnect().equals(Frames.connectEvent())) {
            throw new IllegalStateException("the frames do not round-trip");
        }
    }

    /** process.spawned, pid, comm {@code python3}, monotonic ns, parent_pid. */
    @Benchmark
    public ProbeEvent decodeSpawn() throws FrameException {
        return FrameDecoder.decodeFrame(spawnFrame, 0, spawnFrame.length);
    }

    /** net.connect_attempted with peer {@code [2001:db8::1]:443}. */
    @Benchmark
    public ProbeEvent decodeConnect() throws FrameException {
        return FrameDecoder.decodeFrame(connectFrame, 0, connectFrame.length);
    }
}
