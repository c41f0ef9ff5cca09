package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The golden vector of protocol.md §6, byte for byte, both ways and by both encoder paths. */
class GoldenVectorTest {
    static final byte[] GOLDEN = CborBytes.hex("""
            63000000a56f636f6e74656e745f76657273696f6e1901006c70726f62655f736f757263656f70726f636573732e
            737061776e65646967756573745f706964182a6a67756573745f636f6d6d6273687267756573745f6d6f6e6f746f
            6e69635f6e731a3b9aca00""");

    private static final ProbeEvent EVENT = ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 42, "sh", 1_000_000_000L);

    @Test
    void theVectorIs103Bytes() {
        assertEquals(103, GOLDEN.length);
    }

    @Test
    void encodingTheEventGivesTheVector() {
        assertArrayEquals(GOLDEN, Codec.encode(EVENT));
    }

    @Test
    void decodingTheVectorGivesTheEvent() throws FrameException {
        assertEquals(EVENT, Codec.decodeFrame(GOLDEN));
    }

    @Test
    void decodingTheBodyAloneGivesTheEvent() throws FrameException {
        assertEquals(EVENT, Codec.decodeBody(Arrays.copyOfRange(GOLDEN, 4, GOLDEN.length)));
    }

    @Test
    void theFlyweightPathGivesTheVector() throws FrameException {
        byte[] buf = new byte[Wire.MAX_FRAME_BYTES];
        int n = new FrameEncoder().begin(buf, 0, Wire.VERSION_1_0, ProbeSource.PROCESS_SPAWNED, 42, "sh", 1_000_000_000L)
                .finish();
        assertArrayEquals(GOLDEN, Arrays.copyOf(buf, n));
    }

    /** The hostile bodies of the other tests start from this one, so the builder must be right. */
    @Test
    void theTestCborBuilderWritesTheVectorToo() {
        assertArrayEquals(GOLDEN, MapBody.core().frame());
        assertEquals(EVENT, Events.GOLDEN);
    }
}
