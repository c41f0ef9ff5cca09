package io.cellos.telemetry.guest.command;

/** A command line that cannot be carried out as written; the message says what to change. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
