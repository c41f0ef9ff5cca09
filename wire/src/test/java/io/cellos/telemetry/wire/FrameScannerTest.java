package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.cbor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import io.cellos.telemetry.wire.ScanRecord.Report;
import org.junit.jupiter.api.Test;

/** Cutting a stream into frames (protocol.md §2): what is reported, skipped, kept or given up. */
class FrameScannerTest {
    private static final byte[] GOLDEN = Codec.encode(Events.GOLDEN);
    private static final ProbeEvent OTHER = ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 1, "cellos-agent", 7);
    private static final byte[] BAD_BODY = MapBody.core().put("guest_pid", cbor().text("42")).frame();

    private static byte[] concat(byte[]... parts) {
        CborBytes out = cbor();
        for (byte[] p : parts) {
            out.append(p);
        }
        return out.toByteArray();
    }

    @Test
    void everyWholeFrameIsReportedAtItsOffset() {
        byte[] other = Codec.encode(OTHER);
        byte[] stream = concat(GOLDEN, other, GOLDEN);
        ScanRecord r = new ScanRecord();
        assertEquals(stream.length, FrameScanner.scan(stream, 0, stream.length, r));
        assertEquals(List.of(new Report(0, Events.GOLDEN, null), new Report(GOLDEN.length, OTHER, null),
                new Report(GOLDEN.length + other.length, Events.GOLDEN, null)), r.reports);
    }

    @Test
    void aRefusedBodyIsReportedAndSkipped() {
        byte[] stream = concat(GOLDEN, BAD_BODY, GOLDEN);
        ScanRecord r = new ScanRecord();
        assertEquals(stream.length, FrameScanner.scan(stream, 0, stream.length, r));
        assertEquals(List.of(new Report(0, Events.GOLDEN, null),
                new Report(GOLDEN.length, null, FrameError.WRONG_FIELD_TYPE),
                new Report(GOLDEN.length + BAD_BODY.length, Events.GOLDEN, null)), r.reports);
    }

    @Test
    void aFrameNotYetWholeIsLeftUnconsumedAndUnreported() {
        for (int cut = 1; cut < GOLDEN.length; cut++) {
            byte[] stream = concat(GOLDEN, Arrays.copyOf(GOLDEN, cut));
            ScanRecord r = new ScanRecord();
            assertEquals(GOLDEN.length, FrameScanner.scan(stream, 0, stream.length, r), "cut at " + cut);
            assertEquals(List.of(new Report(0, Events.GOLDEN, null)), r.reports);
        }
    }

    @Test
    void nothingIsNothing() {
        ScanRecord r = new ScanRecord();
        assertEquals(0, FrameScanner.scan(new byte[0], 0, 0, r));
        assertEquals(List.of(), r.reports);
    }

    @Test
    void aZeroPrefixLosesTheFramingAndNothingAfterIsRead() {
        byte[] stream = concat(GOLDEN, CborBytes.prefixed(0, new byte[0]), GOLDEN);
        ScanRecord r = new ScanRecord();
        assertEquals(FrameScanner.FRAMING_LOST, FrameScanner.scan(stream, 0, stream.length, r));
        assertEquals(List.of(new Report(0, Events.GOLDEN, null), new Report(GOLDEN.length, null, FrameError.ZERO_LENGTH)),
                r.reports);
    }

    /** The prefix alone decides: the scanner does not wait for 4097 bytes that will never be a frame. */
    @Test
    void aPrefixOverTheLimitLosesTheFramingAtOnce() {
        byte[] stream = concat(GOLDEN, CborBytes.prefixed(Wire.MAX_BODY_BYTES + 1, new byte[0]));
        ScanRecord r = new ScanRecord();
        assertEquals(FrameScanner.FRAMING_LOST, FrameScanner.scan(stream, 0, stream.length, r));
        assertEquals(List.of(new Report(0, Events.GOLDEN, null),
                new Report(GOLDEN.length, null, FrameError.FRAME_TOO_LARGE)), r.reports);
    }

    @Test
    void onlyTheGivenRangeIsScannedAndOffsetsAreInTheArray() {
        byte[] stream = concat(new byte[] {0, 0, 0}, GOLDEN, GOLDEN, new byte[] {0, 0, 0, 0});
        ScanRecord r = new ScanRecord();
        assertEquals(2 * GOLDEN.length, FrameScanner.scan(stream, 3, 2 * GOLDEN.length, r));
        assertEquals(List.of(new Report(3, Events.GOLDEN, null), new Report(3 + GOLDEN.length, Events.GOLDEN, null)),
                r.reports);
    }
}
