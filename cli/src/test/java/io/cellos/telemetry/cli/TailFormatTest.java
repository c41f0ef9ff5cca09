package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventFormat;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.EventVerifier;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code events tail} prints per format: stored bytes, or a conversion signed with the tail's key. */
class TailFormatTest {
    static final String KEY = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);

    @Test
    void aConvertedEventIsSignedWithTheTailsKeyAndStoredOnesAreLeftAlone() throws Exception {
        EventSigner signer = EventSigner.create(SignAlgorithm.HMAC_SHA256, "tail", KEY);
        ProbeEvent spawn = ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 42, "sh", 1);
        Instant at = Instant.parse("2026-11-21T15:04:05Z");
        CellStamp stamp = new CellStamp("c1", "r1", null);
        byte[] own = new EventEncoder(signer).encode(new EventProjector(stamp, "/c_9001", EventFormat.CLOUDEVENTS)
                .guest(spawn, 1, 1, at, SessionCheck.PINNED));
        byte[] ocsf = new EventEncoder(null).encode(new EventProjector(stamp, "/c_9001", EventFormat.OCSF)
                .guest(spawn, 1, 1, at, SessionCheck.PINNED));

        TailFormat asOcsf = new TailFormat(EventFormat.OCSF, signer);
        String converted = new String(asOcsf.apply(own), StandardCharsets.UTF_8);
        assertTrue(converted.contains("\"class_uid\":1007") && converted.contains("\"sigkid\":\"tail\""), converted);
        assertTrue(EventVerifier.create(SignAlgorithm.HMAC_SHA256, KEY).verify(converted).isEmpty(), converted);
        assertArrayEquals(ocsf, asOcsf.apply(ocsf), "OCSF already: as stored");
        assertArrayEquals(own, new TailFormat(EventFormat.CLOUDEVENTS, signer).apply(own), "the default: as stored");
        assertThrows(IllegalArgumentException.class, () -> asOcsf.apply("{\"type\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> asOcsf.apply("[".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> asOcsf.apply(new byte[0]));
    }
}
