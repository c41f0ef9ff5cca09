package io.cellos.telemetry.host.sign;

/**
 * Key material that cannot be used: not base64url, the wrong length, not a key of the expected
 * kind. The message says what was expected and how to make it, and never contains the key.
 */
public final class KeyFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    KeyFormatException(String message) {
        super(message);
    }

    KeyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
