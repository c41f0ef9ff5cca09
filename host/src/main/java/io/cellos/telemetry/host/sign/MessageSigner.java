package io.cellos.telemetry.host.sign;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;

/** Signs byte strings under one algorithm and key, with the JDK's providers. Thread-safe. */
final class MessageSigner {
    @FunctionalInterface
    private interface SignFunction {
        byte[] sign(byte[] message) throws SignatureException;
    }

    private final PerThreadEngine<SignFunction> engines;

    private MessageSigner(PerThreadEngine<SignFunction> engines) {
        this.engines = engines;
    }

    static MessageSigner hmacSha256(byte[] key) throws InvalidKeyException {
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        return new MessageSigner(new PerThreadEngine<>(() -> {
            Mac mac = JdkAlgorithms.hmacSha256();
            mac.init(spec);
            return mac::doFinal;
        }));
    }

    static MessageSigner ed25519(PrivateKey key) throws InvalidKeyException {
        return new MessageSigner(new PerThreadEngine<>(() -> {
            Signature signature = JdkAlgorithms.ed25519Signature();
            signature.initSign(key);
            return message -> {
                signature.update(message);
                return signature.sign();
            };
        }));
    }

    /** The signature of {@code message}. */
    byte[] sign(byte[] message) {
        try {
            return engines.get().sign(message);
        } catch (SignatureException e) {
            engines.discard();
            // The JDK raises this only for an engine that was never initialised, which ours always are.
            throw new IllegalStateException("an initialised signature engine refused to sign", e);
        }
    }
}
