package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON Canonicalization Scheme (RFC 8785) form of a JSON value: members sorted by their names'
 * UTF-16 code units, no whitespace, strings escaped as ECMAScript's {@code JSON.stringify} does
 * ({@code \"}, {@code \\}, {@code \b}, {@code \f}, {@code \n}, {@code \r}, {@code \t}, and
 * <code>&#92;u00<i>hh</i></code> with lower-case hex for the other control characters; everything else as is),
 * encoded as UTF-8.
 *
 * <p><b>Numbers: integers only, and only exact ones.</b> RFC 8785 serialises every number through
 * an IEEE-754 double. For an integer beyond ±(2<sup>53</sup>−1) that rounds, so two different
 * integers (say …993 and …992) would have one canonical form and a changed digit would keep a
 * valid signature. The events this package signs carry integers only (the receiver writes larger
 * unsigned values as decimal strings), so this class <em>refuses</em>, with a
 * {@link CanonicalJsonException}, any number that is not written as an integer ({@code 1.5},
 * {@code 1.0}, {@code 1e3}) and any integer outside the I-JSON exact range
 * |n| ≤ 2<sup>53</sup>−1 (RFC 7493 §2.2). Within that range the output is the plain decimal,
 * exactly what RFC 8785 gives.
 *
 * <p>Strings must be valid Unicode: a lone surrogate is refused, because UTF-8 cannot carry it and
 * two different strings would otherwise encode alike. Only JSON's own value types are accepted
 * (no binary or POJO nodes).
 *
 * <p>Stateless and thread-safe. Nesting depth is bounded by the caller's tree (the parser used by
 * {@link #canonicalize(String)} limits it to Jackson's default of 1000).
 */
public final class CanonicalJson {
    /** The largest integer that every I-JSON reader holds exactly: 2<sup>53</sup>−1. */
    public static final long MAX_EXACT_INTEGER = (1L << 53) - 1;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CanonicalJson() {
    }

    /**
     * The canonical form of {@code value}, as text.
     *
     * @throws CanonicalJsonException for a number or string outside the contract above, naming it
     */
    public static String canonicalize(JsonNode value) throws CanonicalJsonException {
        StringBuilder out = new StringBuilder(256);
        write(value, out);
        return out.toString();
    }

    /** The canonical form of {@code value} as the UTF-8 bytes that are signed. */
    public static byte[] canonicalUtf8(JsonNode value) throws CanonicalJsonException {
        // Lone surrogates were refused while writing, so this encoding is exact.
        return canonicalize(value).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The canonical form of the one JSON value in {@code jsonText}.
     *
     * @throws JsonProcessingException if the text is not exactly one JSON value, or repeats a
     *                                 member name within an object (I-JSON forbids it, and
     *                                 readers disagree about which one counts)
     * @throws CanonicalJsonException  as {@link #canonicalize(JsonNode)}
     */
    public static String canonicalize(String jsonText) throws JsonProcessingException, CanonicalJsonException {
        return canonicalize(StrictJson.parse(jsonText));
    }

    private static void write(JsonNode node, StringBuilder out) throws CanonicalJsonException {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out);
            case ARRAY -> writeArray(node, out);
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> writeInteger(node, out);
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            case BINARY, POJO, MISSING -> throw new CanonicalJsonException(
                    "a " + node.getNodeType() + " node is not a JSON value; build the tree from JSON types only");
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out) throws CanonicalJsonException {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
        // String.compareTo compares UTF-16 code units, which is the order RFC 8785 §3.2.3 prescribes.
        members.sort(Map.Entry.comparingByKey());
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> member : members) {
            if (!first) {
                out.append(',');
            }
            first = false;
            try {
                writeString(member.getKey(), out);
                out.append(':');
                write(member.getValue(), out);
            } catch (CanonicalJsonException e) {
                throw e.within(member.getKey());
            }
        }
        out.append('}');
    }

    private static void writeArray(JsonNode node, StringBuilder out) throws CanonicalJsonException {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            try {
                write(node.get(i), out);
            } catch (CanonicalJsonException e) {
                throw e.within(Integer.toString(i));
            }
        }
        out.append(']');
    }

    private static void writeInteger(JsonNode node, StringBuilder out) throws CanonicalJsonException {
        if (!node.isIntegralNumber()) {
            throw new CanonicalJsonException("the number " + node.asText() + " is not an integer; "
                    + "signed events carry integers only (RFC 8785 would round other numbers through a double), "
                    + "so write it as an integer or as a string");
        }
        // Not Math.abs: it leaves Long.MIN_VALUE negative.
        if (!node.canConvertToLong() || node.longValue() > MAX_EXACT_INTEGER || node.longValue() < -MAX_EXACT_INTEGER) {
            throw new CanonicalJsonException("the integer " + node.asText() + " is outside ±(2^53-1); "
                    + "RFC 8785 would round it through a double, so a changed digit could keep a valid signature; "
                    + "write it as a decimal string");
        }
        out.append(node.longValue());
    }

    private static void writeString(String s, StringBuilder out) throws CanonicalJsonException {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new CanonicalJsonException(String.format(
                                "a string holds a lone surrogate U+%04X at UTF-16 index %d; JSON text must be "
                                        + "valid Unicode (RFC 8785 requires I-JSON), so fix what produced it", (int) c, i));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
