package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.cbor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code exe} (protocol.md §4): any text of at most 4,096 bytes ({@code PATH_MAX}), carried with
 * {@code sha256} on the sources whose process it names.
 */
class ExeKeyTest {
    private static final String DIGEST = "0123456789abcdef".repeat(4);

    /** Up to 4,096 bytes is accepted; such a body is over 4,096 bytes, so only {@code decodeBody} sees it. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 4095, 4096})
    void anExeOfUpTo4096BytesIsAccepted(int bytes) throws FrameException {
        String exe = "€".repeat(bytes / 3) + "x".repeat(bytes % 3);
        assertEquals(exe, Codec.decodeBody(MapBody.core().put("exe", cbor().text(exe)).body()).extensions().exe());
    }

    @ParameterizedTest(name = "\"{0}\" at the end")
    @ValueSource(strings = {"x", "é", "😀"})
    void anExeOver4096BytesIsTooLong(String tail) {
        String exe = "/".repeat(4096 - tail.getBytes(StandardCharsets.UTF_8).length + 1) + tail;
        MapBody m = MapBody.core().put("exe", cbor().text(exe));
        FrameException e = Codec.refuseBody(m.body());
        Codec.assertRefusal(e, FrameError.FIELD_TOO_LONG, "exe", m.valueOffset("exe"));
        assertTrue(e.getMessage().contains("the limit is 4096"), e.getMessage());
    }

    /** What the agent sends: {@code exe} and {@code sha256} beside each source's own keys, after them in Field order. */
    @ParameterizedTest
    @EnumSource(value = ProbeSource.class, names = {"NET_CONNECT_ATTEMPTED", "FS_INOTIFY_FIRED", "CAPABILITY_DENIED"})
    void exeAndSha256RoundTripOnTheSourcesThatCarryThem(ProbeSource source) throws FrameException {
        Extensions own = switch (source) {
            case NET_CONNECT_ATTEMPTED -> Extensions.NONE.withPeer("127.0.0.1:22").withHost("example.org");
            case FS_INOTIFY_FIRED -> Extensions.NONE.withPath("/etc/passwd");
            default -> Extensions.NONE.withSyscall(165);
        };
        ProbeEvent e = ProbeEvent.of(source, 4242, "sshd", 7)
                .withExtensions(own.withSha256(DIGEST).withExe("/usr/bin/python3.13"));
        ProbeEvent back = Codec.decodeFrame(Codec.encode(e));
        assertEquals(Expected.afterRoundTrip(e), back);
        assertEquals("/usr/bin/python3.13", back.extensions().exe());
    }

    /** A path so long that the body cannot hold it is refused whole, as a long {@code path} is. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {4000, 4096, 5000})
    void anExeThatDoesNotFitTheBodyMakesTheEventTooLarge(int bytes) {
        ProbeEvent e = ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 1, "sh", 1)
                .withExtensions(Extensions.NONE.withPeer("127.0.0.1:22").withExe("/" + "x".repeat(bytes - 1)));
        FrameException x = assertThrows(FrameException.class,
                () -> new FrameEncoder().encode(e, new byte[Wire.MAX_FRAME_BYTES], 0));
        assertEquals(FrameError.FRAME_TOO_LARGE, x.error());
    }
}
