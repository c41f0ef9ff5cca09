package io.cellos.telemetry.host.sign;

/**
 * An event {@link EventSigner} will not sign: not a JSON object, already signed, or holding a
 * value that has no exact canonical form (the cause is then a {@link CanonicalJsonException} with
 * the JSON Pointer of the value).
 *
 * <p>Guest data can cause these, so no stack trace is captured.
 */
public final class EventSigningException extends Exception {
    private static final long serialVersionUID = 1L;

    EventSigningException(String message) {
        super(message, null, false, false);
    }

    EventSigningException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
