package io.cellos.telemetry.bench;

import java.io.OutputStream;

/**
 * An output stream that drops what it is given and counts the bytes: under a
 * {@link io.cellos.telemetry.host.sink.JsonLinesSink} it keeps the sink's whole serialization path and
 * removes only the file I/O.
 *
 * <p>Not thread-safe; the sink serializes its writes.
 */
final class DiscardStream extends OutputStream {
    private long bytes;

    @Override
    public void write(int b) {
        bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        bytes += len;
    }

    /** Bytes written so far. */
    long bytes() {
        return bytes;
    }
}
