package io.cellos.telemetry.guest.agent;

/** The agent could not become ready; the message is the reason a person reads. */
final class NotReadyException extends Exception {
    private static final long serialVersionUID = 1L;

    NotReadyException(String reason, Throwable cause) {
        super(reason, cause, false, false);
    }
}
