package io.cellos.telemetry.host.sign;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;

/** Checks signatures of byte strings under one algorithm and key, with the JDK's providers. Thread-safe. */
final class MessageVerifier {
    @FunctionalInterface
    private interface VerifyFunction {
        boolean verify(byte[] message, byte[] signature) throws SignatureException;
    }

    private final VerifyFunction function;

    private MessageVerifier(VerifyFunction function) {
        this.function = function;
    }

    static MessageVerifier hmacSha256(byte[] key) throws InvalidKeyException {
        MessageSigner mac = MessageSigner.hmacSha256(key);
        // isEqual takes the same time wherever the first differing byte is.
        return new MessageVerifier((message, signature) -> MessageDigest.isEqual(mac.sign(message), signature));
    }

    static MessageVerifier ed25519(PublicKey key) throws InvalidKeyException {
        PerThreadEngine<Signature> engines = new PerThreadEngine<>(() -> {
            Signature verifier = JdkAlgorithms.ed25519Signature();
            verifier.initVerify(key);
            return verifier;
        });
        return new MessageVerifier((message, signature) -> {
            Signature verifier = engines.get();
            try {
                verifier.update(message);
                return verifier.verify(signature);
            } catch (SignatureException e) {
                engines.discard();
                throw e;
            }
        });
    }

    /**
     * Whether {@code signature} is a signature of {@code message} under this key.
     *
     * @throws SignatureException if the provider finds the signature malformed rather than wrong
     */
    boolean verify(byte[] message, byte[] signature) throws SignatureException {
        return function.verify(message, signature);
    }
}
