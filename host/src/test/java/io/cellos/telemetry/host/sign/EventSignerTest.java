package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventSignerTest {
    private static final JsonMapper MAPPER = new JsonMapper();

    @ParameterizedTest
    @EnumSource(SignAlgorithm.class)
    void addsTheThreeAttributesOnOneLine(SignAlgorithm algorithm) throws Exception {
        String unsigned = SampleEvents.line(1);
        String signed = TestKeys.signer(algorithm).sign(unsigned);

        assertFalse(signed.contains("\n") || signed.contains("\r"), signed);
        JsonNode event = MAPPER.readTree(signed);
        assertEquals(algorithm.id(), event.get("sigalg").textValue());
        assertEquals(TestKeys.KID, event.get("sigkid").textValue());
        String sig = event.get("sig").textValue();
        assertTrue(sig.matches("[A-Za-z0-9_-]+"), sig);
        assertEquals((algorithm.signatureBytes() * 4 + 2) / 3, sig.length());
        // Everything else is the event as it was.
        ((ObjectNode) event).remove(SignatureAttributes.ALL);
        assertEquals(MAPPER.readTree(unsigned), event);
    }

    @ParameterizedTest
    @EnumSource(SignAlgorithm.class)
    void signsTheCanonicalFormWithSigalgAndSigkid(SignAlgorithm algorithm) throws Exception {
        // Signing the same event written differently gives the same signature.
        String compact = "{\"specversion\":\"1.0\",\"id\":\"a\",\"data\":{\"n\":1,\"m\":[2,3]}}";
        String reordered = " { \"data\" : { \"m\" : [ 2 , 3 ] , \"n\" : 1 } , \"id\" : \"a\" , \"specversion\" : \"1.0\" } ";
        EventSigner signer = TestKeys.signer(algorithm);
        assertEquals(MAPPER.readTree(signer.sign(compact)).get("sig"), MAPPER.readTree(signer.sign(reordered)).get("sig"));
    }

    @Test
    void stillParsesAsACloudEventWithTheSignatureAsExtensions() throws Exception {
        String signed = TestKeys.signer(SignAlgorithm.ED25519).sign(SampleEvents.line(2));
        CloudEvent event = SampleEvents.JSON_FORMAT.deserialize(signed.getBytes(StandardCharsets.UTF_8));
        assertEquals("ed25519", event.getExtension("sigalg"));
        assertEquals(TestKeys.KID, event.getExtension("sigkid"));
        assertEquals(MAPPER.readTree(signed).get("sig").textValue(), event.getExtension("sig"));
        assertEquals("cell.observability.guest.fs.inotify_fired", event.getType());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sig", "sigalg", "sigkid", "cellosprev"})
    void refusesAnEventThatAlreadyCarriesASignatureAttribute(String attribute) throws Exception {
        EventSigner signer = TestKeys.signer(SignAlgorithm.HMAC_SHA256);
        EventSigningException e = assertThrows(EventSigningException.class,
                () -> signer.sign("{\"id\":\"a\",\"" + attribute + "\":\"x\"}"));
        assertTrue(e.getMessage().contains("'" + attribute + "'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "not json", "[1,2]", "\"text\"", "{\"a\":1,\"a\":2}", "{\"a\":1}{}"})
    void refusesWhatIsNotOneJsonObject(String input) throws Exception {
        EventSigner signer = TestKeys.signer(SignAlgorithm.HMAC_SHA256);
        assertThrows(EventSigningException.class, () -> signer.sign(input));
    }

    @Test
    void refusesAnIntegerWithoutAnExactCanonicalFormAndSaysWhere() throws Exception {
        EventSigner signer = TestKeys.signer(SignAlgorithm.ED25519);
        EventSigningException e = assertThrows(EventSigningException.class,
                () -> signer.sign("{\"id\":\"a\",\"data\":{\"guest_monotonic_ns\":18446744073709551615}}"));
        assertTrue(e.getMessage().contains("/data/guest_monotonic_ns"), e.getMessage());
        assertTrue(e.getCause() instanceof CanonicalJsonException);
    }

    @Test
    void linksEachEventOfAChainToTheOneSignedBeforeItUnderItsSignature() throws Exception {
        EventSigner signer = TestKeys.signer(SignAlgorithm.ED25519);
        EventChain chain = new EventChain();
        ObjectNode first = (ObjectNode) MAPPER.readTree(signer.sign(SampleEvents.line(1), chain));
        assertEquals(ChainLinks.FIRST, first.get(ChainLinks.ATTRIBUTE).textValue());
        // an event that cannot be signed does not join the chain
        assertThrows(EventSigningException.class, () -> signer.sign("{\"id\":\"x\",\"n\":1.5}", chain));
        ObjectNode second = (ObjectNode) MAPPER.readTree(signer.sign(SampleEvents.line(2), chain));
        first.remove(SignatureAttributes.SIG);
        assertEquals(ChainLinks.to(CanonicalJson.canonicalUtf8(first)), second.get(ChainLinks.ATTRIBUTE).textValue());
        assertTrue(ChainLinks.isLink(second.get(ChainLinks.ATTRIBUTE).textValue()));
        // the link is signed: the event without it does not verify
        second.remove(ChainLinks.ATTRIBUTE);
        assertEquals(VerificationError.BAD_SIGNATURE, TestKeys.verifier(SignAlgorithm.ED25519).verify(second.toString())
                .orElseThrow().error());
    }

    @Test
    void refusesABlankKid() {
        assertThrows(IllegalArgumentException.class,
                () -> EventSigner.create(SignAlgorithm.HMAC_SHA256, " ", TestKeys.HMAC));
    }

    @ParameterizedTest
    @EnumSource(SignAlgorithm.class)
    void signsFromManyThreadsAtOnceAsFromOne(SignAlgorithm algorithm) throws Exception {
        // Both algorithms are deterministic, so any sharing of engine state between threads would
        // show up as a signature that differs from the one-thread result.
        EventSigner signer = TestKeys.signer(algorithm);
        EventVerifier verifier = TestKeys.verifier(algorithm);
        int events = 400;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            expected.add(signer.sign(SampleEvents.line(i)));
        }
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < events; i++) {
                int frame = i;
                results.add(pool.submit(() -> {
                    String signed = signer.sign(SampleEvents.line(frame));
                    verifier.verify(signed).ifPresent(f -> {
                        throw new AssertionError(f.message());
                    });
                    return signed;
                }));
            }
            for (int i = 0; i < events; i++) {
                assertEquals(expected.get(i), results.get(i).get());
            }
        }
    }
}
