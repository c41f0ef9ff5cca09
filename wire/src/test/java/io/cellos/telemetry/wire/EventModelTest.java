package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ProbeEvent}, {@link Extensions}, {@link ProbeSource} and {@link Field} as values. */
class EventModelTest {

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {"0", "ff", "200", "ffff", "10100", "ffffffff", "80000100"})
    void anEventTakesOnlyAVersionOfMajorOne(String hex) {
        int version = Integer.parseUnsignedInt(hex, 16);
        assertThrows(IllegalArgumentException.class,
                () -> new ProbeEvent(version, ProbeSource.PROCESS_SPAWNED, 1, "sh", 1, Extensions.NONE));
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0x1_0000_0000L})
    void anEventTakesOnlyA32BitPid(long pid) {
        assertThrows(IllegalArgumentException.class, () -> ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, pid, "sh", 1));
    }

    @Test
    void anEventRefusesNulls() {
        assertThrows(NullPointerException.class, () -> ProbeEvent.of(null, 1, "sh", 1));
        assertThrows(NullPointerException.class, () -> ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 1, null, 1));
        assertThrows(NullPointerException.class,
                () -> new ProbeEvent(Wire.VERSION_1_0, ProbeSource.PROCESS_SPAWNED, 1, "sh", 1, null));
    }

    @Test
    void withExtensionsSetsTheVersionTheKeysCallFor() {
        ProbeEvent e = Events.GOLDEN;
        assertEquals(Wire.VERSION_1_1, e.withExtensions(Extensions.NONE.withSyscall(59)).contentVersion());
        assertEquals(Wire.VERSION_1_0, e.withExtensions(Extensions.NONE).contentVersion());
        assertEquals(Wire.VERSION_1_0, e.withExtensions(Extensions.NONE.withSyscall(59)).withExtensions(Extensions.NONE)
                .contentVersion());
    }

    @Test
    void extensionsRefuseValuesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.withParentPid(0x1_0000_0000L));
        assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.withExitCode(-1));
        assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.withCapability(256));
        assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.withCapability(-1));
        assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.withSyscall(65_536));
        assertEquals(-1L, Extensions.NONE.withDroppedTotal(-1L).droppedTotal(), "dropped_total is a full u64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"})
    void extensionsRefuseADigestThatIsNot64LowercaseHexDigits(String digest) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.withSha256(digest));
        assertTrue(e.getMessage().startsWith("sha256"), e.getMessage());
    }

    @Test
    void eachWitherSetsOneKey() {
        Extensions x = Extensions.NONE.withDroppedTotal(1).withParentPid(2).withExitCode(3).withPath("p").withPeer("q")
                .withCapability(4).withSyscall(5).withSession("s").withWhat("w").withCmdline("c")
                .withSha256("a".repeat(64)).withHost("h").withExe("e").withSocket("k").withProtocol("t");
        assertEquals(new Extensions(1L, 2L, 3L, "p", "q", 4, 5, "s", "w", "c", "a".repeat(64), "h", "e", "k", "t"), x);
        assertTrue(Extensions.NONE.isEmpty());
        assertTrue(Stream.of(Extensions.NONE.withDroppedTotal(0), Extensions.NONE.withPath(""),
                Extensions.NONE.withSyscall(0), Extensions.NONE.withSession(""), Extensions.NONE.withCmdline(""),
                Extensions.NONE.withHost(""), Extensions.NONE.withExe(""), Extensions.NONE.withSocket(""),
                Extensions.NONE.withProtocol("")).noneMatch(Extensions::isEmpty));
    }

    /** isEmpty names every component: a key added to the record and forgotten there fails here. */
    @Test
    void anyOneExtensionKeyMakesThemNotEmpty() {
        List<Field> keys = Arrays.stream(Field.values()).filter(f -> !f.core()).toList();
        assertEquals(Extensions.class.getRecordComponents().length, keys.size());
        for (Field f : keys) {
            Extensions one = f.isUnsigned() ? Extensions.NONE.withUnsigned(f, 0)
                    : Extensions.NONE.withText(f, f == Field.SHA256 ? "0".repeat(64) : "");
            assertFalse(one.isEmpty(), f.wireName());
        }
    }

    @Test
    void everyExtensionKeyIsSetAndReadByItsField() {
        Extensions x = Extensions.NONE;
        for (Field f : Field.values()) {
            if (f.core()) {
                assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.value(f));
                continue;
            }
            assertEquals(null, x.value(f));
            x = f.isUnsigned() ? x.withUnsigned(f, f.ordinal()) : x.withText(f, f == Field.SHA256 ? "b".repeat(64) : f.wireName());
            Object v = x.value(f);
            assertEquals(f.isUnsigned() ? (long) f.ordinal() : f == Field.SHA256 ? "b".repeat(64) : f.wireName(),
                    v instanceof Number n ? (Object) n.longValue() : v, f.wireName());
            assertThrows(IllegalArgumentException.class, f.isUnsigned() ? () -> Extensions.NONE.withText(f, "1")
                    : () -> Extensions.NONE.withUnsigned(f, 1), "the wrong kind for " + f.wireName());
        }
        assertEquals(Extensions.NONE.withCapability(21).withSyscall(165),
                Extensions.NONE.withUnsigned(Field.CAPABILITY, 21).withUnsigned(Field.SYSCALL, 165));
        assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.withUnsigned(Field.CAPABILITY, 256));
        assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.withUnsigned(Field.SYSCALL, 1L << 40));
        assertThrows(IllegalArgumentException.class, () -> Extensions.NONE.withUnsigned(Field.GUEST_PID, 1));
    }

    @ParameterizedTest
    @EnumSource(ProbeSource.class)
    void aSourceIsFoundByItsWireName(ProbeSource source) {
        assertSame(source, ProbeSource.fromWireName(source.wireName()));
    }

    @Test
    void theSourcesAreThoseOfTheContract() {
        assertEquals(List.of("process.spawned", "process.exited", "net.connect_attempted", "capability.denied",
                "fs.inotify_fired", "process.exec", "telemetry.dropped", "agent.heartbeat", "agent.tampered",
                "net.raw_socket_opened"),
                Stream.of(ProbeSource.values()).map(ProbeSource::wireName).toList());
        assertEquals(List.of(true, true, true, true, true, false, false, false, false, false),
                Stream.of(ProbeSource.values()).map(ProbeSource::core).toList());
        assertNull(ProbeSource.fromWireName("process.forked"));
    }

    /** Field order is the order encoders write keys in (§3, §4). */
    @Test
    void theFieldsAreThoseOfTheContractInEncoderOrder() {
        assertEquals(List.of("content_version", "probe_source", "guest_pid", "guest_comm", "guest_monotonic_ns",
                "dropped_total", "parent_pid", "exit_code", "path", "peer", "capability", "syscall", "session", "what",
                "cmdline", "sha256", "host", "exe", "socket", "protocol"),
                Stream.of(Field.values()).map(Field::wireName).toList());
        long any = Integer.MAX_VALUE; // a text bounded only by the body
        assertEquals(List.of(0xffffL, any, 0xffff_ffffL, 16L, -1L, -1L, 0xffff_ffffL, 0xffff_ffffL, any, any, 0xffL, 0xffffL,
                        any, any, 1024L, 64L, any, 4096L, any, any),
                Stream.of(Field.values()).map(f -> f.isUnsigned() ? f.max() : f.maxBytes()).toList());
        assertEquals(Field.CORE_COUNT, Stream.of(Field.values()).filter(Field::core).count());
    }
}
