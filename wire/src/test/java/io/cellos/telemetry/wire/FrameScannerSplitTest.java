package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.cbor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * However a stream is cut into reads, scanning it read by read (keeping what was not consumed)
 * reports the same frames at the same stream offsets as scanning it whole — as a socket reader does.
 */
class FrameScannerSplitTest {

    @Property(tries = 300)
    void readBoundariesDoNotMatter(@ForAll("frames") List<byte[]> frames, @ForAll("cuts") List<Integer> cutSeeds) {
        byte[] stream = frames.stream().reduce(new byte[0], FrameScannerSplitTest::concat);
        ScanRecord whole = new ScanRecord();
        assertEquals(stream.length, FrameScanner.scan(stream, 0, stream.length, whole));
        assertEquals(frames.size(), whole.reports.size());

        TreeSet<Integer> cuts = new TreeSet<>();
        cutSeeds.forEach(c -> cuts.add(stream.length == 0 ? 0 : c % (stream.length + 1)));
        cuts.add(stream.length);
        ScanRecord pieces = new ScanRecord();
        byte[] pending = new byte[0];
        int from = 0;
        for (int cut : cuts) {
            pending = concat(pending, Arrays.copyOfRange(stream, from, cut));
            from = cut;
            int consumed = FrameScanner.scan(pending, 0, pending.length, pieces);
            pending = Arrays.copyOfRange(pending, consumed, pending.length);
            pieces.base += consumed;
        }
        assertEquals(0, pending.length);
        assertEquals(whole.reports, pieces.reports);
    }

    @Provide
    Arbitrary<List<byte[]>> frames() {
        Arbitrary<byte[]> good = WireArbitraries.events().map(Codec::encode);
        Arbitrary<byte[]> refused = Arbitraries.of(
                MapBody.core().put("guest_pid", cbor().text("42")).frame(),
                MapBody.core().put("probe_source", cbor().text("gpu.fault")).frame(),
                CborBytes.frame(cbor().uint(1).toByteArray()),
                CborBytes.frame(cbor().append(MapBody.core().body()).raw(0).toByteArray()));
        return Arbitraries.frequencyOf(Tuple.of(4, good), Tuple.of(1, refused)).list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMaxSize(20);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
