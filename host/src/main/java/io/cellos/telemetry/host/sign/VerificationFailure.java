package io.cellos.telemetry.host.sign;

import java.util.Objects;

/**
 * Why one event failed verification.
 *
 * @param error  the kind of failure
 * @param detail a sentence for a person: what was found, and where it matters, what was expected
 */
public record VerificationFailure(VerificationError error, String detail) {
    public VerificationFailure {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(detail, "detail");
    }

    /** {@code code: detail}, for a log line or a command's output. */
    public String message() {
        return error.code() + ": " + detail;
    }
}
