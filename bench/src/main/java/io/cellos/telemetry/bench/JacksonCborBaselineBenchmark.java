package io.cellos.telemetry.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: Jackson CBOR handling the same content generically, as a {@code Map}. Encoding
 * writes a pre-built {@code LinkedHashMap} into a reused sink; decoding reads the body of the very
 * frames {@link FrameDecodeBenchmark} decodes (no length prefix) into a {@code Map}. Jackson checks
 * nothing of the contract (types, ranges, key order, comm length), so it does less work than our
 * decoder.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JacksonCborBaselineBenchmark {
    private final ObjectMapper mapper = new ObjectMapper(new CBORFactory());
    private final ObjectWriter writer = mapper.writer();
    private final ObjectReader reader = mapper.readerFor(new TypeReference<Map<String, Object>>() { });
    private final Sink sink = new Sink(Wire.MAX_FRAME_BYTES);

    private Map<String, Object> spawnMap;
    private Map<String, Object> connectMap;
    private byte[] spawnFrame;
    private byte[] connectFrame;

    /** A {@link ByteArrayOutputStream} whose buffer is reused and readable without a copy. */
    static final class Sink extends ByteArrayOutputStream {
        Sink(int size) {
            super(size);
        }

        byte[] buffer() {
            return buf;
        }
    }

    @Setup
    public void setUp() throws IOException {
        spawnMap = Frames.asMap(Frames.spawnEvent());
        connectMap = Frames.asMap(Frames.connectEvent());
        spawnFrame = Frames.frame(Frames.spawnEvent());
        connectFrame = Frames.frame(Frames.connectEvent());
        // Jackson reads our bodies to the same content it writes.
        check(spawnMap, decodeSpawn());
        check(connectMap, decodeConnect());
        encodeSpawn();
        check(spawnMap, reader.readValue(sink.buffer(), 0, sink.size()));
    }

    private static void check(Map<String, Object> expected, Map<String, Object> actual) {
        if (!expected.keySet().equals(actual.keySet())) {
            throw new IllegalStateException("keys differ: " + expected + " vs " + actual);
        }
        for (var e : expected.entrySet()) {
            if (!String.valueOf(e.getValue()).equals(String.valueOf(actual.get(e.getKey())))) {
                throw new IllegalStateException("values differ: " + expected + " vs " + actual);
            }
        }
    }

    @Benchmark
    public int encodeSpawn() throws IOException {
        sink.reset();
        writer.writeValue(sink, spawnMap);
        return sink.size();
    }

    @Benchmark
    public int encodeConnect() throws IOException {
        sink.reset();
        writer.writeValue(sink, connectMap);
        return sink.size();
    }

    @Benchmark
    public Map<String, Object> decodeSpawn() throws IOException {
        return reader.readValue(spawnFrame, Wire.HEADER_BYTES, spawnFrame.length - Wire.HEADER_BYTES);
    }

    @Benchmark
    public Map<String, Object> decodeConnect() throws IOException {
        return reader.readValue(connectFrame, Wire.HEADER_BYTES, connectFrame.length - Wire.HEADER_BYTES);
    }
}
