package io.cellos.telemetry.host.sign;

/**
 * The outcome of {@link EventVerifier#verifyStream}: every non-blank line verified, or the first
 * line that did not.
 */
public sealed interface StreamVerification {
    /** How many lines verified (before the failure, if there was one). */
    long linesVerified();

    /** Every non-blank line verified; there may have been none. */
    record Verified(long linesVerified) implements StreamVerification {
    }

    /**
     * A line failed; lines after it were not read.
     *
     * @param linesVerified the lines that verified before it
     * @param lineNumber    its 1-based number, counting blank lines too (as an editor does)
     * @param failure       why it failed
     */
    record Failed(long linesVerified, long lineNumber, VerificationFailure failure) implements StreamVerification {
    }
}
