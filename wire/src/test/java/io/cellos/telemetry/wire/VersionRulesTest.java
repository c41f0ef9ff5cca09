package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.cbor;
import static io.cellos.telemetry.wire.Codec.assertBodyRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code content_version}: first, of major 1, any minor; a foreign major short-circuits (§3). */
class VersionRulesTest {
    private static final String VERSION = Field.CONTENT_VERSION.wireName();
    private static final int VERSION_VALUE_OFFSET = MapBody.core().valueOffset(VERSION);

    @Test
    void aKnownKeyBeforeContentVersionIsRefused() {
        byte[] body = MapBody.core().move(VERSION, 1).body();
        assertBodyRefused(body, FrameError.CONTENT_VERSION_NOT_FIRST, "probe_source", 1);
    }

    @Test
    void anUnknownKeyBeforeContentVersionIsRefused() {
        byte[] body = MapBody.core().add("x-first", cbor().uint(1)).move("x-first", 0).body();
        assertBodyRefused(body, FrameError.CONTENT_VERSION_NOT_FIRST, null, 1);
    }

    @Test
    void contentVersionLastIsRefused() {
        byte[] body = MapBody.core().move(VERSION, 4).body();
        assertBodyRefused(body, FrameError.CONTENT_VERSION_NOT_FIRST, "probe_source", 1);
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {"0000", "0001", "00ff", "0200", "0201", "0300", "ff01", "ffff"})
    void aMajorOtherThanOneIsAnUnsupportedVersion(String hex) {
        byte[] body = MapBody.core().put(VERSION, cbor().uint(Integer.parseInt(hex, 16), 2)).body();
        assertBodyRefused(body, FrameError.UNSUPPORTED_VERSION, VERSION, VERSION_VALUE_OFFSET);
    }

    /** Nothing after the version is read: not even whether it is CBOR at all. */
    @Test
    void aForeignMajorShortCircuitsBeforeGarbage() {
        byte[] body = cbor().map(5).text(VERSION).uint(0x0200, 2).raw(0xff, 0xff, 0xff, 0x1c, 0x20).toByteArray();
        assertBodyRefused(body, FrameError.UNSUPPORTED_VERSION, VERSION, VERSION_VALUE_OFFSET);
    }

    /** A version 2 frame may drop or retype version 1's keys and carry more of them. */
    @Test
    void aForeignMajorShortCircuitsBeforeEveryOtherRule() {
        byte[] body = MapBody.empty()
                .add(VERSION, cbor().uint(0x0200, 2))
                .add("guest_pid", cbor().text("not a number"))
                .add(cbor().uint(7), cbor().head(CborBytes.ARRAY, 0))
                .add(VERSION, cbor().uint(0x0100))
                .add("guest_comm", cbor().text("far more than sixteen bytes"))
                .body();
        assertBodyRefused(cbor().append(body).raw(0x00).toByteArray(), FrameError.UNSUPPORTED_VERSION, VERSION,
                VERSION_VALUE_OFFSET);
    }

    @Test
    void aForeignMajorAloneIsUnsupportedNotMissingFields() {
        byte[] body = MapBody.empty().add(VERSION, cbor().uint(0x0200, 2)).body();
        assertBodyRefused(body, FrameError.UNSUPPORTED_VERSION, VERSION, VERSION_VALUE_OFFSET);
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {"0100", "0101", "0102", "017f", "01ff"})
    void everyMinorOfMajorOneIsAccepted(String hex) throws FrameException {
        int version = Integer.parseInt(hex, 16);
        ProbeEvent g = Events.GOLDEN;
        ProbeEvent expected = new ProbeEvent(version, g.source(), g.guestPid(), g.guestComm(), g.guestMonotonicNs(),
                Extensions.NONE);
        assertEquals(expected, Codec.decodeBody(MapBody.core().put(VERSION, cbor().uint(version, 2)).body()));
    }
}
