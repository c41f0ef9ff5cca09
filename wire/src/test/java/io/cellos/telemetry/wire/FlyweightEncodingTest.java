package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The agent's hot path ({@code begin}, extension keys, {@code finish}) writes the same bytes as
 * {@code encode(ProbeEvent)}, including from {@link CharSequence}s that are not strings and from
 * an encoder reused across frames.
 */
class FlyweightEncodingTest {

    @Property
    void theFlyweightPathWritesTheSameBytesAsEncode(@ForAll("events") ProbeEvent event) throws FrameException {
        assertArrayEquals(Codec.encode(event), flyweight(new FrameEncoder(), event));
    }

    /** Nothing of one frame (extension state, order, version patch) may leak into the next. */
    @Property
    void aReusedEncoderWritesWhatAFreshOneWrites(@ForAll("events") ProbeEvent first, @ForAll("events") ProbeEvent second)
            throws FrameException {
        FrameEncoder reused = new FrameEncoder();
        flyweight(reused, first);
        assertArrayEquals(Codec.encode(second), flyweight(reused, second));
    }

    private static byte[] flyweight(FrameEncoder enc, ProbeEvent e) throws FrameException {
        byte[] buf = new byte[Wire.MAX_FRAME_BYTES];
        enc.begin(buf, 0, e.contentVersion(), e.source(), e.guestPid(), new StringBuilder(e.guestComm()),
                e.guestMonotonicNs());
        Extensions x = e.extensions();
        if (x.droppedTotal() != null) {
            enc.uint(Field.DROPPED_TOTAL, x.droppedTotal());
        }
        if (x.parentPid() != null) {
            enc.uint(Field.PARENT_PID, x.parentPid());
        }
        if (x.exitCode() != null) {
            enc.uint(Field.EXIT_CODE, x.exitCode());
        }
        if (x.path() != null) {
            enc.text(Field.PATH, new StringBuilder(x.path()));
        }
        if (x.peer() != null) {
            enc.text(Field.PEER, new StringBuilder(x.peer()));
        }
        if (x.capability() != null) {
            enc.uint(Field.CAPABILITY, x.capability());
        }
        if (x.syscall() != null) {
            enc.uint(Field.SYSCALL, x.syscall());
        }
        if (x.session() != null) {
            enc.text(Field.SESSION, x.session());
        }
        if (x.what() != null) {
            enc.text(Field.WHAT, x.what());
        }
        if (x.cmdline() != null) {
            enc.text(Field.CMDLINE, new StringBuilder(x.cmdline()));
        }
        if (x.sha256() != null) {
            enc.text(Field.SHA256, new StringBuilder(x.sha256()));
        }
        if (x.host() != null) {
            enc.text(Field.HOST, x.host());
        }
        if (x.exe() != null) {
            enc.text(Field.EXE, new StringBuilder(x.exe()));
        }
        if (x.socket() != null) {
            enc.text(Field.SOCKET, x.socket());
        }
        if (x.protocol() != null) {
            enc.text(Field.PROTOCOL, x.protocol());
        }
        return Arrays.copyOf(buf, enc.finish());
    }

    @Provide
    Arbitrary<ProbeEvent> events() {
        return WireArbitraries.events();
    }
}
