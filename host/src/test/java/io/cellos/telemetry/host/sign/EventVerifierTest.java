package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventVerifierTest {
    private static final JsonMapper MAPPER = new JsonMapper();

    private static String signedStream(SignAlgorithm algorithm, int lines) throws Exception {
        EventSigner signer = TestKeys.signer(algorithm);
        EventChain chain = new EventChain();
        StringBuilder stream = new StringBuilder();
        for (int i = 1; i <= lines; i++) {
            stream.append(signer.sign(SampleEvents.line(i), chain)).append('\n');
        }
        return stream.toString();
    }

    private static String signedLine(SignAlgorithm algorithm) throws Exception {
        return TestKeys.signer(algorithm).sign(SampleEvents.line(1));
    }

    private static VerificationError errorOf(Optional<VerificationFailure> failure) {
        return failure.orElseThrow(() -> new AssertionError("verified, but should have failed")).error();
    }

    @ParameterizedTest
    @EnumSource(SignAlgorithm.class)
    void verifiesAStreamItSigned(SignAlgorithm algorithm) throws Exception {
        StreamVerification result = TestKeys.verifier(algorithm).expectingKid(TestKeys.KID)
                .verifyStream(new StringReader(signedStream(algorithm, 5)), true);
        assertEquals(new StreamVerification.Verified(5, List.of(new StreamVerification.Chain("cell-7f3a", "run-01JX4Q2Z",
                5, "run-01JX4Q2Z/1/5", false))), result);
    }

    @ParameterizedTest
    @EnumSource(SignAlgorithm.class)
    void anyChangedByteFailsItsLine(SignAlgorithm algorithm) throws Exception {
        byte[] stream = signedStream(algorithm, 5).getBytes(StandardCharsets.UTF_8);
        int lineStart = 0;
        for (int newlines = 0; newlines < 2; lineStart++) {
            if (stream[lineStart] == '\n') {
                newlines++;
            }
        }
        int lineEnd = lineStart;
        while (stream[lineEnd] != '\n') {
            lineEnd++;
        }
        EventVerifier verifier = TestKeys.verifier(algorithm);
        for (int at = lineStart; at < lineEnd; at++) {
            byte[] tampered = stream.clone();
            // Flipping the lowest bit changes a digit, a letter, a quote or a UTF-8 byte into another.
            tampered[at] ^= 1;
            StreamVerification result = verifier.verifyStream(
                    new InputStreamReader(new ByteArrayInputStream(tampered), StandardCharsets.UTF_8), true);
            String where = "byte " + (at - lineStart) + " of line 3: "
                    + new String(Arrays.copyOfRange(tampered, lineStart, lineEnd), StandardCharsets.UTF_8);
            StreamVerification.Failed failed = assertInstanceOf(StreamVerification.Failed.class, result, where);
            assertEquals(3, failed.lineNumber(), where);
            assertEquals(2, failed.linesVerified(), where);
        }
    }

    @ParameterizedTest
    @EnumSource(SignAlgorithm.class)
    void reorderedAndReformattedEventsStillVerify(SignAlgorithm algorithm) throws Exception {
        String signed = signedLine(algorithm);
        // Members in reverse order at every level (sig first), non-ASCII escaped, spaces between tokens.
        JsonMapper escaping = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
        String rewritten = spaced(escaping.writeValueAsString(reversed(MAPPER.readTree(signed))));
        assertNotEquals(signed, rewritten);
        assertTrue(rewritten.startsWith(" { \"sig\" : "), rewritten);
        assertEquals(Optional.empty(), TestKeys.verifier(algorithm).verify(rewritten));
    }

    private static JsonNode reversed(JsonNode node) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (int i = members.size() - 1; i >= 0; i--) {
                out.set(members.get(i).getKey(), reversed(members.get(i).getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> out.add(reversed(element)));
            return out;
        }
        return node;
    }

    /** Puts a space around every structural character outside strings. */
    private static String spaced(String json) {
        StringBuilder out = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if ("{}[]:,".indexOf(c) >= 0) {
                out.append(' ').append(c).append(' ');
            } else {
                inString = c == '"';
                out.append(c);
            }
        }
        return out.toString();
    }

    @ParameterizedTest
    @EnumSource(SignAlgorithm.class)
    void failsUnderAnotherKey(SignAlgorithm algorithm) throws Exception {
        EventVerifier other = EventVerifier.create(algorithm, TestKeys.otherVerifyingKey(algorithm));
        assertEquals(VerificationError.BAD_SIGNATURE, errorOf(other.verify(signedLine(algorithm))));
    }

    @Test
    void failsUnderAKeyForTheOtherAlgorithm() throws Exception {
        Optional<VerificationFailure> failure = TestKeys.verifier(SignAlgorithm.HMAC_SHA256)
                .verify(signedLine(SignAlgorithm.ED25519));
        assertEquals(VerificationError.ALG_MISMATCH, errorOf(failure));
    }

    @Test
    void failsAnotherKeyIdWhenOneIsExpected() throws Exception {
        String signed = signedLine(SignAlgorithm.HMAC_SHA256);
        EventVerifier verifier = TestKeys.verifier(SignAlgorithm.HMAC_SHA256);
        assertEquals(Optional.empty(), verifier.verify(signed));
        Optional<VerificationFailure> failure = verifier.expectingKid("host-2024-01").verify(signed);
        assertEquals(VerificationError.KID_MISMATCH, errorOf(failure));
        assertTrue(failure.get().detail().contains("host-2024-01"), failure.get().detail());
    }

    @Test
    void failsAnUnsignedLineAsMissingSig() throws Exception {
        String stream = signedLine(SignAlgorithm.ED25519) + "\n" + SampleEvents.line(2) + "\n";
        StreamVerification result = TestKeys.verifier(SignAlgorithm.ED25519).verifyStream(new StringReader(stream), false);
        StreamVerification.Failed failed = assertInstanceOf(StreamVerification.Failed.class, result);
        assertEquals(2, failed.lineNumber());
        assertEquals(VerificationError.MISSING_SIG, failed.failure().error());
        assertEquals("missing_sig: no string 'sig' attribute", failed.failure().message());
    }

    @Test
    void failsASignatureAttributeThatIsNotAString() throws Exception {
        ObjectNode event = (ObjectNode) MAPPER.readTree(signedLine(SignAlgorithm.HMAC_SHA256));
        event.put("sigkid", 7);
        assertEquals(VerificationError.MISSING_SIG, errorOf(TestKeys.verifier(SignAlgorithm.HMAC_SHA256)
                .verify(event.toString())));
    }

    @Test
    void failsAnUnknownAlgorithm() throws Exception {
        ObjectNode event = (ObjectNode) MAPPER.readTree(signedLine(SignAlgorithm.HMAC_SHA256));
        event.put("sigalg", "rsa-sha256");
        assertEquals(VerificationError.UNKNOWN_SIGALG, errorOf(TestKeys.verifier(SignAlgorithm.HMAC_SHA256)
                .verify(event.toString())));
    }

    @Test
    void failsWhatIsNotAJsonObject() throws Exception {
        EventVerifier verifier = TestKeys.verifier(SignAlgorithm.HMAC_SHA256);
        for (String line : List.of("not json", "null", "[1]", "{\"sig\":\"a\",\"sig\":\"b\"}", "{} {}")) {
            assertEquals(VerificationError.NOT_JSON, errorOf(verifier.verify(line)), line);
        }
    }

    @ParameterizedTest
    @EnumSource(SignAlgorithm.class)
    void failsASigThatIsNotTheCanonicalEncodingOfASignature(SignAlgorithm algorithm) throws Exception {
        ObjectNode event = (ObjectNode) MAPPER.readTree(signedLine(algorithm));
        String sig = event.get("sig").textValue();
        EventVerifier verifier = TestKeys.verifier(algorithm);
        // Both lengths leave spare low bits in the last character, which a lenient decoder ignores.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        String spareBitSet = sig.substring(0, sig.length() - 1)
                + alphabet.charAt(alphabet.indexOf(sig.charAt(sig.length() - 1)) ^ 1);
        for (String bad : List.of(spareBitSet, sig + "=", sig.substring(1), sig + "AAAA", "+" + sig.substring(1), "")) {
            event.put("sig", bad);
            assertEquals(VerificationError.BAD_SIGNATURE, errorOf(verifier.verify(event.toString())), bad);
        }
    }

    @Test
    void failsANumberWithoutAnExactCanonicalForm() throws Exception {
        ObjectNode event = (ObjectNode) MAPPER.readTree(signedLine(SignAlgorithm.HMAC_SHA256));
        String line = event.toString().replace("\"frame\":1", "\"frame\":1.0");
        Optional<VerificationFailure> failure = TestKeys.verifier(SignAlgorithm.HMAC_SHA256).verify(line);
        assertEquals(VerificationError.NOT_CANONICALIZABLE, errorOf(failure));
        assertTrue(failure.get().detail().contains("/data/output/frame"), failure.get().detail());
    }

    @Test
    void countsBlankLinesButDoesNotVerifyThem() throws Exception {
        String line = signedLine(SignAlgorithm.HMAC_SHA256);
        String stream = "\n" + line + "\n  \n" + line + "\nnot json\n";
        StreamVerification result = TestKeys.verifier(SignAlgorithm.HMAC_SHA256).verifyStream(new StringReader(stream),
                false);
        StreamVerification.Failed failed = assertInstanceOf(StreamVerification.Failed.class, result);
        assertEquals(5, failed.lineNumber());
        assertEquals(2, failed.linesVerified());
        assertEquals(new StreamVerification.Verified(0, List.of()),
                TestKeys.verifier(SignAlgorithm.HMAC_SHA256).verifyStream(new StringReader(""), true));
    }
}
