package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/** Jackson's CBOR module as an independent reader and writer of bodies. */
final class JacksonCbor {
    private static final CBORMapper MAPPER = CBORMapper.builder()
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final CBORFactory MINIMAL = CBORFactory.builder()
            .enable(CBORGenerator.Feature.WRITE_MINIMAL_INTS).build();
    /** Writes every int in 4 bytes and every long in 8: non-shortest heads a strict decoder must still read. */
    private static final CBORFactory WIDE = CBORFactory.builder()
            .disable(CBORGenerator.Feature.WRITE_MINIMAL_INTS).build();
    private static final Set<JsonToken> ALLOWED = Set.of(JsonToken.START_OBJECT, JsonToken.END_OBJECT,
            JsonToken.FIELD_NAME, JsonToken.VALUE_NUMBER_INT, JsonToken.VALUE_STRING);

    private JacksonCbor() {
    }

    /**
     * Reads {@code body} as a map, integers as {@link BigInteger}, insisting it is one item made
     * only of what protocol.md §3 allows: no tags, no floats, no arrays, no nesting.
     */
    static List<Map.Entry<String, Object>> read(byte[] body) {
        try (CBORParser p = MAPPER.getFactory().createParser(body)) {
            int depth = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                assertTrue(ALLOWED.contains(t), "token " + t);
                assertEquals(-1, p.getCurrentTag(), "a tag");
                depth += t == JsonToken.START_OBJECT ? 1 : t == JsonToken.END_OBJECT ? -1 : 0;
                assertTrue(depth <= 1, "a nested map");
            }
            return Expected.entries(MAPPER.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() { }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code entries} in order as a definite map; u64 values above 2^63 as major type 0. */
    static byte[] write(List<Map.Entry<String, Object>> entries, boolean minimalInts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = (minimalInts ? MINIMAL : WIDE).createGenerator(out)) {
            g.writeStartObject(entries.size());
            for (Map.Entry<String, Object> e : entries) {
                g.writeFieldName(e.getKey());
                if (e.getValue() instanceof BigInteger v) {
                    if (v.bitLength() <= 31) {
                        g.writeNumber(v.intValue());
                    } else if (v.bitLength() <= 63) {
                        g.writeNumber(v.longValue());
                    } else {
                        g.writeNumberUnsigned(v.longValue());
                    }
                } else {
                    g.writeString((String) e.getValue());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
