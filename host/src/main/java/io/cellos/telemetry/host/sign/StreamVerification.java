package io.cellos.telemetry.host.sign;

import java.util.List;

/**
 * The outcome of {@link EventVerifier#verifyStream}: every non-blank line verified (and, when
 * asked, every cell's hash chain is whole from its first event), or the first line whose signature
 * failed, or the first break found in a chain.
 */
public sealed interface StreamVerification {
    /** How many lines' signatures verified (before the failure, if there was one). */
    long linesVerified();

    /**
     * One cell's chain, whole from its first event.
     *
     * @param cellId      the cell
     * @param runId       its run
     * @param events      how many events the chain holds
     * @param lastEventId the id of its last event
     * @param closed      whether that is the receiver's closing event ({@link ChainLinks#CLOSING_TYPE}):
     *                    then nothing of the chain was cut from its end; if not, the cell may still
     *                    have been running when the stream was read, or its end was cut
     */
    record Chain(String cellId, String runId, long events, String lastEventId, boolean closed) {
    }

    /**
     * Every non-blank line verified; there may have been none.
     *
     * @param chains the cells' chains in the order their first line came, or empty when chains were
     *               not checked
     */
    record Verified(long linesVerified, List<Chain> chains) implements StreamVerification {
        public Verified {
            chains = List.copyOf(chains);
        }
    }

    /**
     * A line's signature failed; lines after it were not read.
     *
     * @param linesVerified the lines that verified before it
     * @param lineNumber    its 1-based number, counting blank lines too (as an editor does)
     * @param failure       why it failed
     */
    record Failed(long linesVerified, long lineNumber, VerificationFailure failure) implements StreamVerification {
    }

    /**
     * Signatures verified, but a cell's chain breaks; a break seen while reading (an unlinked,
     * duplicate or forking event) stops the reading there.
     *
     * @param linesVerified the lines whose signatures verified
     * @param chainBreak    the first break found
     */
    record Broken(long linesVerified, ChainBreak chainBreak) implements StreamVerification {
    }
}
