package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.cbor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Keys a receiver does not know are skipped, wherever they stand after the version (§3, §4). */
class UnknownKeysTest {

    static Stream<Arguments> unknownValuesAndPositions() {
        Stream<CborBytes> values = Stream.of(
                cbor().uint(0), cbor().uint(23), cbor().uint(24), cbor().uint(0xffff_ffffL), cbor().uint(-1L),
                cbor().uint(5, 8), cbor().text(""), cbor().text("future"), cbor().text("ключ→値😀"),
                cbor().text("z".repeat(300)));
        return values.flatMap(v -> IntStream.rangeClosed(1, 5).mapToObj(at -> Arguments.of(v, at)));
    }

    @ParameterizedTest(name = "{0} at entry {1}")
    @MethodSource("unknownValuesAndPositions")
    void anUnknownKeyIsIgnored(CborBytes value, int at) throws FrameException {
        byte[] body = MapBody.core().add("x-future", value).move("x-future", at).body();
        assertEquals(Events.GOLDEN, Codec.decodeBody(body));
    }

    @Test
    void keysThatOnlyLookKnownAreUnknown() throws FrameException {
        byte[] body = MapBody.core().add("Guest_pid", cbor().text("x")).add("guest_pid ", cbor().text("x"))
                .add("guest_pi", cbor().uint(1)).add("", cbor().uint(1)).add("ключ", cbor().uint(1)).body();
        assertEquals(Events.GOLDEN, Codec.decodeBody(body));
    }

    /** An older host's view: a 1.1 frame minus the keys it knows nothing about. */
    @Test
    void unknownKeysNextToExtensionKeysAreIgnored() throws FrameException {
        ProbeEvent expected = Events.GOLDEN.withExtensions(Extensions.NONE.withParentPid(1).withPath("/bin/sh"));
        byte[] body = MapBody.core().put("content_version", cbor().uint(Wire.VERSION_1_1))
                .add("x-a", cbor().uint(9)).add("parent_pid", cbor().uint(1)).add("x-b", cbor().text("b"))
                .add("path", cbor().text("/bin/sh")).body();
        assertEquals(expected, Codec.decodeBody(body));
    }
}
