package io.cellos.telemetry.host.sink;

import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.sign.EventSigner;

import java.io.IOException;

/**
 * One event at a time as the bytes of its CloudEvents JSON (signed and linked into its cell's chain
 * when a signer is given): what a message-per-event sink sends. The bytes are those
 * {@link JsonLinesSink} writes as a line, without the newline.
 *
 * <p>Thread-safe: each thread serializes into a reused buffer of its own.
 */
public final class EventEncoder {
    private final EventSigner signer;
    private final ThreadLocal<LineBuffer> buffer = ThreadLocal.withInitial(() -> new LineBuffer(4096));

    /** @param signer signs each event, or {@code null} */
    public EventEncoder(EventSigner signer) {
        this.signer = signer;
    }

    /**
     * @return a new array holding the event's JSON
     * @throws IOException saying which event and why, if it cannot be serialized or signed
     */
    public byte[] encode(CellEvent event) throws IOException {
        LineBuffer b = buffer.get();
        b.append(event.cloudEvent(), signer, event.chain());
        byte[] bytes = b.lastLineBytes();
        b.removeLastLine();
        return bytes;
    }
}
