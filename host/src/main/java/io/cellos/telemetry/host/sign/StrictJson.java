package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON reader and writer of this package. Reading is strict where leniency would let two
 * parties disagree about what was signed: a duplicate member name (one reader keeps the first,
 * another the last) and anything after the first value are refused. Thread-safe.
 */
final class StrictJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {
    }

    /** Parses exactly one JSON value; empty input is an error, not a missing value. */
    static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readValue(text, JsonNode.class);
    }

    /** Writes {@code value} as compact JSON on one line (line breaks in strings are escaped). */
    static String write(JsonNode value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // Only POJO nodes can fail to serialise, and callers canonicalise first, which refuses them.
            throw new IllegalStateException("could not write a JSON tree that passed canonicalisation", e);
        }
    }

    /** A one-line account of a parse error for a person: the parser's reason and the column. */
    static String describe(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return at == null
                ? e.getOriginalMessage()
                : e.getOriginalMessage() + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
