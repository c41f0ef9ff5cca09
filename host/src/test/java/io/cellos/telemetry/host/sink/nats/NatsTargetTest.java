package io.cellos.telemetry.host.sink.nats;

import io.nats.client.api.RetentionPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatsTargetTest {
    @Test
    void defaultsAndEveryOption() {
        NatsTarget t = NatsTarget.parse("nats://nats.example:4333");
        assertEquals("nats://nats.example:4333/CELLOS_EVENTS", t.toString());
        assertEquals(Duration.ofDays(7), t.maxAge());
        assertEquals(-1, t.maxBytes());
        assertEquals(1, t.replicas());
        assertEquals(100_000, t.buffer());
        assertEquals(256, t.inFlight());
        assertEquals(4222, NatsTarget.parse("nats://127.0.0.1").port());
        assertEquals("nats://[::1]:4222", NatsTarget.parse("nats://[::1]/S").serverUrl());

        NatsTarget all = NatsTarget.parse("nats://h:1/EV?max-age=1h&max-bytes=10GiB&replicas=3&buffer=500"
                + "&in-flight=20&ack-wait=2s&drain=0s&retention=workqueue");
        assertEquals("EV", all.stream());
        assertEquals(RetentionPolicy.WorkQueue, all.retention());
        assertEquals(RetentionPolicy.Limits, t.retention());
        assertEquals(RetentionPolicy.Interest, NatsTarget.parse("nats://h/S?retention=interest").retention());
        assertEquals(Duration.ofHours(1), all.maxAge());
        assertEquals(10L << 30, all.maxBytes());
        assertEquals(3, all.replicas());
        assertEquals(500, all.buffer());
        assertEquals(20, all.inFlight());
        assertEquals(Duration.ofSeconds(2), all.ackWait());
        assertEquals(Duration.ZERO, all.drain());
        assertEquals(100, NatsTarget.parse("nats://h/EV?buffer=100").inFlight(), "in-flight follows a small buffer");
        assertTrue(NatsTarget.names("NATS://h"));
        assertFalse(NatsTarget.names("/var/log/nats.jsonl"));
    }

    @Test
    void refusesWhatItCannotUseSayingWhy() {
        String[][] bad = {
            {"http://h:4222", "is not nats://"},
            {"nats://", "write nats://HOST:PORT"},
            {"nats://h:4222/a.b", "is not [A-Za-z0-9_-]"},
            {"nats://h:4222/S?replicas=7", "replicas is 1 to 5"},
            {"nats://h:4222/S?max-bytes=0", "max-bytes"},
            {"nats://h:4222/S?max-bytes=1TB", "is not a size"},
            {"nats://h:4222/S?max-age=forever", "is not a duration"},
            {"nats://h:4222/S?buffer=10&in-flight=20", "in-flight <= buffer"},
            {"nats://h:4222/S?colour=blue", "unknown option(s) [colour]"},
            {"nats://h:4222/S?retention=forever", "is not limits, interest or workqueue"},
            {"nats://h:4222/S?buffer", "is not option=value"},
            {"nats://h:4222/S?buffer=1&buffer=2", "given twice"},
            {"nats://user:pw@h:4222", "credentials"},
            {"nats://h:99999", "is not"},
        };
        for (String[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NatsTarget.parse(b[0]), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + " -> " + e.getMessage());
        }
    }
}
