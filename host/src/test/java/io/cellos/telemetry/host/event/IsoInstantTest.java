package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link IsoInstant} writes what the CloudEvents SDK writes for {@code time}
 * ({@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} in UTC), to every kind of generator; beyond the
 * years {@code OffsetDateTime} holds, {@link DateTimeFormatter#ISO_INSTANT}'s text with the same
 * fraction.
 */
class IsoInstantTest {
    static final JsonFactory JSON = new JsonFactory();

    @Test
    void writesWhatTheCloudEventsSdkWritesForTime() throws IOException {
        List<Instant> instants = new ArrayList<>();
        long[] seconds = {0, -1, 1_795_000_000L, -62_167_219_200L, 253_402_300_799L, 253_402_300_800L,
                Instant.MAX.getEpochSecond(), Instant.MIN.getEpochSecond()};
        int[] nanos = {0, 1, 100, 1_000, 120_000, 123_000_000, 100_000_000, 999_999_999, 123_456_789, 5_000};
        for (long s : seconds) {
            for (int n : nanos) {
                instants.add(Instant.ofEpochSecond(s, n));
            }
        }
        SplittableRandom random = new SplittableRandom(42);
        Instant t = Instant.parse("2026-11-21T15:04:05Z");
        for (int i = 0; i < 10_000; i++) { // in order, across second boundaries, as a receiver sees them
            t = t.plusNanos(random.nextLong(1, 400_000_000));
            instants.add(t);
        }
        IsoInstant iso = new IsoInstant();
        for (Instant i : instants) {
            String expected = "\"" + sdkTime(i) + "\"";
            assertEquals(expected, viaBytes(iso, i), i::toString);
            assertEquals(expected, viaChars(iso, i), i::toString);
        }
    }

    /** As the CloudEvents SDK writes {@code time}, for the instants an {@code OffsetDateTime} can hold. */
    private static String sdkTime(Instant i) {
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.ofInstant(i, ZoneOffset.UTC));
        } catch (java.time.DateTimeException beyond) {
            String iso = DateTimeFormatter.ISO_INSTANT.format(i); // fraction in groups of three: trim its zeros
            return iso.contains(".") ? iso.replaceAll("0+Z$", "Z") : iso;
        }
    }

    private static String viaBytes(IsoInstant iso, Instant t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            iso.write(g, t);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String viaChars(IsoInstant iso, Instant t) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            iso.write(g, t);
        }
        return out.toString();
    }
}
