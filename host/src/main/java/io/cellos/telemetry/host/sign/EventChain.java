package io.cellos.telemetry.host.sign;

/**
 * One cell's hash chain as its events are signed: the link the next event will carry
 * ({@link ChainLinks}). {@link EventSigner#sign(String, EventChain)} reads and advances it in one
 * step, so the chain's order is the order in which the cell's events were signed.
 *
 * <p>Thread-safe: the signer holds this object's monitor while it links, signs and advances, so a
 * cell whose events are signed on more than one thread (its receiver's I/O thread, a sink's own
 * reports) still gets one unbroken chain. One chain serves one signing sink: two sinks signing the
 * same events into it would each see half of the links.
 */
public final class EventChain {
    private String next = ChainLinks.FIRST; // guarded by this

    /** The link the next event signed into this chain carries; the caller holds this object's monitor. */
    String next() {
        return next;
    }

    /** Records the event just signed, whose signature covers {@code signedBytes}; the caller holds this object's monitor. */
    void advance(byte[] signedBytes) {
        next = ChainLinks.to(signedBytes);
    }
}
