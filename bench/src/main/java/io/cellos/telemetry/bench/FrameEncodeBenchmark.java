package io.cellos.telemetry.bench;

import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.FrameDecoder;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
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

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Encoding one frame into a reused buffer: the agent's flyweight path (no {@link ProbeEvent}
 * built) and {@link FrameEncoder#encode(ProbeEvent, byte[], int)} with a pre-built event.
 * Goal: at most 100 ns and 0 B per frame ({@code -prof gc}, {@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FrameEncodeBenchmark {
    private final FrameEncoder encoder = new FrameEncoder();
    private final byte[] buf = new byte[Wire.MAX_FRAME_BYTES];

    // Non-final so the JIT cannot fold the inputs into constants.
    private long spawnPid;
    private String spawnComm;
    private long spawnMonoNs;
    private long spawnParentPid;
    private long connectPid;
    private String connectComm;
    private long connectMonoNs;
    private String connectPeer;
    private ProbeEvent spawnEvent;
    private ProbeEvent connectEvent;

    @Setup
    public void setUp() throws FrameException {
        spawnPid = Frames.SPAWN_PID;
        spawnComm = Frames.SPAWN_COMM;
        spawnMonoNs = Frames.SPAWN_MONO_NS;
        spawnParentPid = Frames.SPAWN_PARENT_PID;
        connectPid = Frames.CONNECT_PID;
        connectComm = Frames.CONNECT_COMM;
        connectMonoNs = Frames.CONNECT_MONO_NS;
        connectPeer = Frames.CONNECT_PEER;
        spawnEvent = Frames.spawnEvent();
        connectEvent = Frames.connectEvent();
        // Every path must produce the same bytes as the reference frame, or the figures mean nothing.
        check("flyweightSpawn", flyweightSpawn(), Frames.frame(spawnEvent));
        check("eventSpawn", eventSpawn(), Frames.frame(spawnEvent));
        check("flyweightConnect", flyweightConnect(), Frames.frame(connectEvent));
        check("eventConnect", eventConnect(), Frames.frame(connectEvent));
        if (!FrameDecoder.decodeFrame(buf, 0, eventConnect()).equals(connectEvent)) {
            throw new IllegalStateException("connect frame does not round-trip");
        }
    }

    private void check(String what, int len, byte[] expected) {
        if (!Arrays.equals(buf, 0, len, expected, 0, expected.length)) {
            throw new IllegalStateException(what + " does not produce the reference frame");
        }
    }

    /** process.spawned with parent_pid, as the agent writes it: begin, one extension, finish. */
    @Benchmark
    public int flyweightSpawn() throws FrameException {
        return encoder.begin(buf, 0, Wire.VERSION_1_0, ProbeSource.PROCESS_SPAWNED, spawnPid, spawnComm, spawnMonoNs)
                .uint(Field.PARENT_PID, spawnParentPid)
                .finish();
    }

    /** The same frame from a pre-built {@link ProbeEvent}. */
    @Benchmark
    public int eventSpawn() throws FrameException {
        return encoder.encode(spawnEvent, buf, 0);
    }

    /** net.connect_attempted with peer {@code [2001:db8::1]:443}, flyweight path. */
    @Benchmark
    public int flyweightConnect() throws FrameException {
        return encoder.begin(buf, 0, Wire.VERSION_1_0, ProbeSource.NET_CONNECT_ATTEMPTED, connectPid, connectComm,
                        connectMonoNs)
                .text(Field.PEER, connectPeer)
                .finish();
    }

    /** The same frame from a pre-built {@link ProbeEvent}. */
    @Benchmark
    public int eventConnect() throws FrameException {
        return encoder.encode(connectEvent, buf, 0);
    }
}
