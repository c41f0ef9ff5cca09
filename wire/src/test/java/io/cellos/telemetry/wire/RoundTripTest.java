package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Encoding then decoding gives the event back, over every field's whole range. */
class RoundTripTest {

    @Property
    void decodingWhatTheEncoderWroteGivesTheEventBack(@ForAll("events") ProbeEvent event) throws FrameException {
        assertEquals(Expected.afterRoundTrip(event), Codec.decodeFrame(Codec.encode(event)));
    }

    @Property
    void everyMinorOfMajorOneRoundTrips(@ForAll("eventsOfAnyMinor") ProbeEvent event) throws FrameException {
        assertEquals(Expected.afterRoundTrip(event), Codec.decodeFrame(Codec.encode(event)));
    }

    /** The event claims 1.0 whatever it carries: the encoder, not the caller, must say 1.1 (§4). */
    @Property
    void versionIs0x0101WithExtensionKeysAnd0x0100Without(@ForAll("events") ProbeEvent event) throws FrameException {
        ProbeEvent claimsOneZero = new ProbeEvent(Wire.VERSION_1_0, event.source(), event.guestPid(),
                event.guestComm(), event.guestMonotonicNs(), event.extensions());
        int decoded = Codec.decodeFrame(Codec.encode(claimsOneZero)).contentVersion();
        assertEquals(event.extensions().isEmpty() ? 0x0100 : 0x0101, decoded);
    }

    @Provide
    Arbitrary<ProbeEvent> events() {
        return WireArbitraries.events();
    }

    @Provide
    Arbitrary<ProbeEvent> eventsOfAnyMinor() {
        return WireArbitraries.eventsOfAnyMinor();
    }
}
