package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Programming errors on the flyweight path are exceptions at once, never a malformed frame. */
class EncoderMisuseTest {
    private final FrameEncoder enc = new FrameEncoder();
    private final byte[] buf = new byte[Wire.MAX_FRAME_BYTES];

    private void begin() throws FrameException {
        enc.begin(buf, 0, Wire.VERSION_1_0, ProbeSource.PROCESS_SPAWNED, 42, "sh", 1);
    }

    @Test
    void nothingButBeginComesFirst() {
        assertThrows(IllegalStateException.class, () -> enc.uint(Field.PARENT_PID, 1));
        assertThrows(IllegalStateException.class, () -> enc.text(Field.PATH, "/"));
        assertThrows(IllegalStateException.class, enc::finish);
    }

    @Test
    void nothingButBeginComesAfterFinish() throws FrameException {
        begin();
        enc.finish();
        assertThrows(IllegalStateException.class, () -> enc.uint(Field.PARENT_PID, 1));
        assertThrows(IllegalStateException.class, enc::finish);
    }

    static Stream<Arguments> outOfOrder() {
        return Stream.of(
                Arguments.of(Field.EXIT_CODE, Field.PARENT_PID),
                Arguments.of(Field.SYSCALL, Field.CAPABILITY),
                Arguments.of(Field.PEER, Field.PATH),
                Arguments.of(Field.PATH, Field.DROPPED_TOTAL),
                Arguments.of(Field.SYSCALL, Field.DROPPED_TOTAL));
    }

    @ParameterizedTest(name = "{1} after {0}")
    @MethodSource("outOfOrder")
    void anExtensionKeyOutOfOrderIsRefused(Field first, Field second) throws FrameException {
        begin();
        write(first);
        assertThrows(IllegalStateException.class, () -> write(second));
    }

    @ParameterizedTest
    @EnumSource(value = Field.class, names = {"DROPPED_TOTAL", "PARENT_PID", "EXIT_CODE", "PATH", "PEER", "CAPABILITY",
            "SYSCALL"})
    void anExtensionKeyTwiceIsRefused(Field field) throws FrameException {
        begin();
        write(field);
        assertThrows(IllegalStateException.class, () -> write(field));
    }

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                Arguments.of(Field.PARENT_PID, 0x1_0000_0000L),
                Arguments.of(Field.PARENT_PID, -1L),
                Arguments.of(Field.EXIT_CODE, 0x1_0000_0000L),
                Arguments.of(Field.CAPABILITY, 256L),
                Arguments.of(Field.CAPABILITY, -1L),
                Arguments.of(Field.SYSCALL, 65_536L),
                Arguments.of(Field.SYSCALL, Long.MIN_VALUE));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("outOfRange")
    void anExtensionValueOutOfRangeIsRefused(Field field, long value) throws FrameException {
        begin();
        assertThrows(IllegalArgumentException.class, () -> enc.uint(field, value));
    }

    @ParameterizedTest
    @EnumSource(value = Field.class, names = {"CONTENT_VERSION", "GUEST_PID", "GUEST_MONOTONIC_NS", "PATH", "PEER",
            "PROBE_SOURCE", "GUEST_COMM"})
    void uintTakesOnlyUnsignedExtensionKeys(Field field) throws FrameException {
        begin();
        assertThrows(IllegalArgumentException.class, () -> enc.uint(field, 1));
    }

    @ParameterizedTest
    @EnumSource(value = Field.class, names = {"PROBE_SOURCE", "GUEST_COMM", "DROPPED_TOTAL", "CAPABILITY", "GUEST_PID"})
    void textTakesOnlyTextExtensionKeys(Field field) throws FrameException {
        begin();
        assertThrows(IllegalArgumentException.class, () -> enc.text(field, "x"));
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {"0", "ff", "200", "ffff", "10100", "80000100", "ffff0100"})
    void beginTakesOnlyAVersionOfMajorOne(String hex) {
        int version = Integer.parseUnsignedInt(hex, 16);
        assertThrows(IllegalArgumentException.class,
                () -> enc.begin(buf, 0, version, ProbeSource.PROCESS_SPAWNED, 42, "sh", 1));
    }

    @ParameterizedTest
    @ValueSource(longs = {0x1_0000_0000L, -1L, Long.MIN_VALUE})
    void beginTakesOnlyA32BitPid(long pid) {
        assertThrows(IllegalArgumentException.class,
                () -> enc.begin(buf, 0, Wire.VERSION_1_0, ProbeSource.PROCESS_SPAWNED, pid, "sh", 1));
    }

    private void write(Field f) throws FrameException {
        if (f.isUnsigned()) {
            enc.uint(f, 1);
        } else {
            enc.text(f, "x");
        }
    }
}
