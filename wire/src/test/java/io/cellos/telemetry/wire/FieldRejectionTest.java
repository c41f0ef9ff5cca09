package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.cbor;
import static io.cellos.telemetry.wire.Codec.assertBodyRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The keys' presence, types, ranges, lengths, uniqueness and the probe source (§3–§5). */
class FieldRejectionTest {

    @ParameterizedTest
    @EnumSource(value = Field.class, names = {"PROBE_SOURCE", "GUEST_PID", "GUEST_COMM", "GUEST_MONOTONIC_NS"})
    void aMissingCoreKeyIsNamed(Field field) {
        assertBodyRefused(MapBody.core().remove(field.wireName()).body(), FrameError.MISSING_FIELD, field.wireName(), -1);
    }

    /** The only way to miss content_version without putting another key first. */
    @Test
    void anEmptyMapMissesContentVersion() {
        assertBodyRefused(cbor().map(0).toByteArray(), FrameError.MISSING_FIELD, "content_version", -1);
    }

    @ParameterizedTest
    @EnumSource(Field.class)
    void aKnownKeyOfTheWrongTypeIsNamed(Field field) {
        CborBytes wrong = field.isUnsigned() ? cbor().text("1") : cbor().uint(1);
        MapBody m = MapBody.core().put(field.wireName(), wrong);
        assertBodyRefused(m.body(), FrameError.WRONG_FIELD_TYPE, field.wireName(), m.valueOffset(field.wireName()));
    }

    static Stream<Arguments> valuesOverTheirRange() {
        return Stream.of(
                Arguments.of(Field.CONTENT_VERSION, 0x1_0000L),
                Arguments.of(Field.CONTENT_VERSION, 0x1_0100L),
                Arguments.of(Field.GUEST_PID, 0x1_0000_0000L),
                Arguments.of(Field.GUEST_PID, -1L),
                Arguments.of(Field.PARENT_PID, 0x1_0000_0000L),
                Arguments.of(Field.EXIT_CODE, 0x1_0000_0000L),
                Arguments.of(Field.CAPABILITY, 256L),
                Arguments.of(Field.CAPABILITY, -1L),
                Arguments.of(Field.SYSCALL, 65_536L),
                Arguments.of(Field.SYSCALL, Long.MIN_VALUE));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("valuesOverTheirRange")
    void anIntegerOverItsFieldsRangeOverflows(Field field, long value) {
        MapBody m = MapBody.core().put(field.wireName(), cbor().uint(value));
        assertBodyRefused(m.body(), FrameError.INTEGER_OVERFLOW, field.wireName(), m.valueOffset(field.wireName()));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"abcdefghijklmnopq", "éééééééé!", "€€€€€!!", "😀😀😀😀!"})
    void aCommOf17BytesIsTooLong(String comm) {
        MapBody m = MapBody.core().put("guest_comm", cbor().text(comm));
        assertBodyRefused(m.body(), FrameError.FIELD_TOO_LONG, "guest_comm", m.valueOffset("guest_comm"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"abcdefghijklmnop", "éééééééé", "€€€€€!", "😀😀😀😀"})
    void aCommOf16BytesIsAccepted(String comm) throws FrameException {
        assertEquals(comm, Codec.decodeBody(MapBody.core().put("guest_comm", cbor().text(comm)).body()).guestComm());
    }

    @ParameterizedTest
    @EnumSource(Field.class)
    void aKnownKeyTwiceIsADuplicate(Field field) {
        CborBytes value = switch (field) {
            case CONTENT_VERSION -> cbor().uint(Wire.VERSION_1_1);
            case PROBE_SOURCE -> cbor().text("process.exited");
            case SHA256 -> cbor().text("0".repeat(64));
            default -> field.isUnsigned() ? cbor().uint(1) : cbor().text("a");
        };
        MapBody m = MapBody.core().put(field.wireName(), value).add(field.wireName(), value);
        assertBodyRefused(m.body(), FrameError.DUPLICATE_KEY, field.wireName(), m.keyOffset(m.entries() - 1));
    }

    @Test
    void anUnknownKeyTwiceIsADuplicateWhateverItsValues() {
        MapBody m = MapBody.core().add("x-a", cbor().uint(1)).add("x-b", cbor().uint(2)).add("x-a", cbor().text("1"));
        assertBodyRefused(m.body(), FrameError.DUPLICATE_KEY, "x-a", m.keyOffset(7));
    }

    @Test
    void unknownKeysOfTheSameLengthOrPrefixAreDistinct() throws FrameException {
        byte[] body = MapBody.core().add("ab", cbor().uint(1)).add("ba", cbor().uint(2)).add("a", cbor().uint(3))
                .add("abc", cbor().uint(4)).add("", cbor().uint(5)).body();
        assertEquals(Events.GOLDEN, Codec.decodeBody(body));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"process.forked", "Process.spawned", "process.spawned ", "process.spawned\u0000", "process",
            "", "agent.silenced"})
    void anUnknownProbeSourceIsNamed(String source) {
        MapBody m = MapBody.core().put("probe_source", cbor().text(source));
        assertBodyRefused(m.body(), FrameError.UNKNOWN_PROBE_SOURCE, "probe_source", m.valueOffset("probe_source"));
    }

    /** A frame from a newer agent is dropped and counted, the connection kept (§3). */
    @Test
    void anUnknownProbeSourceKeepsTheFraming() {
        FrameException e = Codec.refuseBody(MapBody.core().put("probe_source", cbor().text("gpu.fault")).body());
        assertEquals(false, e.error().losesFraming());
    }

    @ParameterizedTest
    @EnumSource(ProbeSource.class)
    void everyKnownProbeSourceIsAccepted(ProbeSource source) throws FrameException {
        byte[] body = MapBody.core().put("probe_source", cbor().text(source.wireName())).body();
        assertEquals(source, Codec.decodeBody(body).source());
    }
}
