package io.cellos.telemetry.host.sign;

import javax.crypto.Mac;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;

/**
 * The JCA engines this package uses, all of which every Java SE 15+ platform must provide. Their
 * absence is a broken runtime, not a configuration mistake, so it is reported as an
 * {@link IllegalStateException} here once rather than declared by every caller.
 */
final class JdkAlgorithms {
    private JdkAlgorithms() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw missing(e);
        }
    }

    static Mac hmacSha256() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw missing(e);
        }
    }

    static Signature ed25519Signature() {
        try {
            return Signature.getInstance("Ed25519");
        } catch (NoSuchAlgorithmException e) {
            throw missing(e);
        }
    }

    static KeyFactory ed25519KeyFactory() {
        try {
            return KeyFactory.getInstance("Ed25519");
        } catch (NoSuchAlgorithmException e) {
            throw missing(e);
        }
    }

    static KeyPairGenerator ed25519KeyPairGenerator() {
        try {
            return KeyPairGenerator.getInstance("Ed25519");
        } catch (NoSuchAlgorithmException e) {
            throw missing(e);
        }
    }

    private static IllegalStateException missing(NoSuchAlgorithmException e) {
        return new IllegalStateException("this Java runtime lacks an algorithm every Java SE 15+ platform must "
                + "provide (" + e.getMessage() + "); run on a standard JDK", e);
    }
}
