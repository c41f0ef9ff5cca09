package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalJsonTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * The canonical form by io.github.erdtman:java-json-canonicalization, an independent
     * implementation. It takes only an object or array at the top level.
     */
    private static String independent(String json) throws IOException {
        return new JsonCanonicalizer(json).getEncodedString();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"b\":1,\"a\":{\"d\":[3,2,{\"z\":null,\"y\":true}],\"c\":false}}",
            "{}", "[]", "[[],{},[{}]]", "[\"\",0,-0,null,true,false]",
            "[9007199254740991,-9007199254740991,-1,123456789]",
            // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+E000..U+FFFF, though its code point is larger.
            "{\"\\ue000\":1,\"\\uffee\":2,\"\\ud83d\\ude00\":3,\"\\ud800\\udc00\":4,\"a\":5,\"\\u00e9\":6,\"\\uffff\":7}",
            "{\"\\u0000\\u0001\\u001f\\u007f\\b\\f\\n\\r\\t\\\"\\\\\\/\":\"\\u0000\\u001F\\u007F\\u0080\\u2028\\u2029\"}",
            "{\"upper\":\"\\u00E9\\u00C9\\uD83D\\uDE00\",\"literal\":\"é😀\"}",
            "  {  \"spaced\" : [ 1 , 2 ] ,\n \"nested\" : { \"b\" : { \"d\" : 1 , \"c\" : 2 } , \"a\" : 0 } }  ",
            "{\"aa\":1,\"a\":2,\"ab\":3,\"\":4,\"B\":5,\"b\":6}",
    })
    void agreesWithAnIndependentImplementation(String json) throws Exception {
        assertEquals(independent(json), CanonicalJson.canonicalize(json));
    }

    @Test
    void agreesWithAnIndependentImplementationOnARealisticEvent() throws Exception {
        String event = SampleEvents.line(7);
        assertEquals(independent(event), CanonicalJson.canonicalize(event));
    }

    @Test
    void agreesWithAnIndependentImplementationOnRandomTrees() throws Exception {
        Random random = new Random(8785);
        for (int i = 0; i < 500; i++) {
            String json = NODES.arrayNode().add(randomValue(random, 0)).toString();
            assertEquals(independent(json), CanonicalJson.canonicalize(json), json);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode randomValue(Random random, int depth) {
        int kind = random.nextInt(depth >= 4 ? 4 : 6);
        return switch (kind) {
            case 0 -> NODES.textNode(randomText(random));
            case 1 -> NODES.numberNode(random.nextLong(-CanonicalJson.MAX_EXACT_INTEGER, CanonicalJson.MAX_EXACT_INTEGER + 1)
                    >> random.nextInt(53));
            case 2 -> NODES.booleanNode(random.nextBoolean());
            case 3 -> NODES.nullNode();
            case 4 -> {
                ObjectNode object = NODES.objectNode();
                for (int n = random.nextInt(6); n > 0; n--) {
                    object.set(randomText(random), randomValue(random, depth + 1));
                }
                yield object;
            }
            default -> {
                var array = NODES.arrayNode();
                for (int n = random.nextInt(5); n > 0; n--) {
                    array.add(randomValue(random, depth + 1));
                }
                yield array;
            }
        };
    }

    /** Text drawn from the ranges where escaping and UTF-16 ordering differ. */
    private static String randomText(Random random) {
        int[][] ranges = {{0x00, 0x20}, {0x20, 0x7f}, {0x7f, 0x100}, {0x100, 0xd800}, {0xe000, 0x10000},
                {0x10000, 0x110000}, {'"', '"' + 1}, {'\\', '\\' + 1}};
        StringBuilder text = new StringBuilder();
        for (int n = random.nextInt(6); n > 0; n--) {
            int[] range = ranges[random.nextInt(ranges.length)];
            text.appendCodePoint(random.nextInt(range[0], range[1]));
        }
        return text.toString();
    }

    @Test
    void sortsLikeTheRfc8785Example() throws Exception {
        // RFC 8785 §3.2.3: the members come out in this order of their values.
        String input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        String expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\","
                + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        assertEquals(expected, CanonicalJson.canonicalize(input));
    }

    @Test
    void escapesStringsLikeTheRfc8785Example() throws Exception {
        // RFC 8785 §3.2.2.2's string, without the example's non-integer numbers.
        String input = "{\"string\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\"literals\":[null,true,false]}";
        String expected = "{\"literals\":[null,true,false],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertEquals(expected, CanonicalJson.canonicalize(input));
    }

    @Test
    void encodesAsUtf8() throws Exception {
        ObjectNode node = NODES.objectNode().put("k", "é😀");
        assertArrayEquals("{\"k\":\"é😀\"}".getBytes(StandardCharsets.UTF_8), CanonicalJson.canonicalUtf8(node));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "1.0", "1e3", "-0.0", "9007199254740992", "-9007199254740992",
            "18446744073709551615", "-9223372036854775808", "123456789012345678901234567890"})
    void refusesNumbersWithoutAnExactCanonicalForm(String number) {
        CanonicalJsonException e = assertThrows(CanonicalJsonException.class,
                () -> CanonicalJson.canonicalize("{\"data\":{\"n\":" + number + "}}"));
        assertEquals("/data/n", e.pointer());
        assertTrue(e.getMessage().startsWith("at /data/n: the "), e.getMessage());
    }

    @Test
    void acceptsTheExactRangeEnds() throws Exception {
        assertEquals("[9007199254740991,-9007199254740991,0]",
                CanonicalJson.canonicalize("[9007199254740991,-9007199254740991,-0]"));
    }

    @Test
    void pointsAtTheRefusedValueWithEscapedTokens() {
        CanonicalJsonException e = assertThrows(CanonicalJsonException.class,
                () -> CanonicalJson.canonicalize("{\"data\":{\"output\":{\"a/b~c\":[0,1.5]}}}"));
        assertEquals("/data/output/a~1b~0c/1", e.pointer());
        assertTrue(e.getMessage().startsWith("at /data/output/a~1b~0c/1: the number 1.5 is not an integer"),
                e.getMessage());
    }

    @Test
    void refusesLoneSurrogatesInValuesAndNames() {
        CanonicalJsonException inValue = assertThrows(CanonicalJsonException.class,
                () -> CanonicalJson.canonicalize("{\"k\":\"x\\ud800\"}"));
        assertEquals("/k", inValue.pointer());
        assertTrue(inValue.problem().contains("U+D800"), inValue.problem());
        assertThrows(CanonicalJsonException.class, () -> CanonicalJson.canonicalize("{\"\\udc00\":1}"));
        assertThrows(CanonicalJsonException.class, () -> CanonicalJson.canonicalize("[\"\\ude00\\ud83d\"]"));
    }

    @Test
    void refusesNodesThatAreNotJsonValues() {
        ObjectNode node = NODES.objectNode();
        node.set("bytes", BinaryNode.valueOf(new byte[]{1, 2}));
        CanonicalJsonException e = assertThrows(CanonicalJsonException.class, () -> CanonicalJson.canonicalize(node));
        assertEquals("/bytes", e.pointer());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"a\":2}", "{\"a\":1} {\"b\":2}", "", "{\"a\":1", "{'a':1}", "[01]"})
    void refusesTextThatIsNotExactlyOneIJsonValue(String text) {
        assertThrows(JsonProcessingException.class, () -> CanonicalJson.canonicalize(text));
    }

    @Test
    void doesNotChangeTheTreeItReads() throws Exception {
        JsonMapper mapper = new JsonMapper();
        ObjectNode node = (ObjectNode) mapper.readTree("{\"b\":1,\"a\":[2,{\"d\":3,\"c\":4}]}");
        String before = node.toString();
        CanonicalJson.canonicalize(node);
        assertEquals(before, node.toString());
    }
}
