package io.cellos.telemetry.host;

import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.EventSigningException;
import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes each event as one line of CloudEvents JSON (protocol.md §7), optionally signed.
 *
 * <p>Thread-safe: serialization and signing run on the calling thread, only the write is
 * serialized. Output is buffered and pushed out on {@link #flush}. A write that fails (disk full,
 * closed pipe), or an event that cannot be signed, is lost: it is counted in {@link #lost()} and
 * the first failure is told on the warning stream.
 */
public final class JsonLinesSink implements EventSink {
    private static final JsonFormat FORMAT = new JsonFormat();

    private final OutputStream out;
    private final EventSigner signer;
    private final PrintStream warnings;
    private final boolean closeUnderlying;
    private long lost;
    private boolean warned;

    /**
     * @param out             where lines go; owned by this sink if {@code closeUnderlying}
     * @param signer          signs each line, or {@code null} for unsigned output
     * @param warnings        where a failure to write is told once
     * @param closeUnderlying whether {@link #close} closes {@code out} (not for standard output)
     */
    public JsonLinesSink(OutputStream out, EventSigner signer, PrintStream warnings, boolean closeUnderlying) {
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.signer = signer;
        this.warnings = warnings;
        this.closeUnderlying = closeUnderlying;
    }

    @Override
    public void emit(CloudEvent event) {
        byte[] line = FORMAT.serialize(event);
        if (signer != null) {
            try {
                line = signer.sign(new String(line, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            } catch (EventSigningException e) {
                synchronized (this) {
                    failed("cannot sign event " + event.getId() + ": " + e.getMessage());
                }
                return;
            }
        }
        synchronized (this) {
            try {
                out.write(line);
                out.write('\n');
            } catch (IOException e) {
                failed("cannot write events: " + e.getMessage());
            }
        }
    }

    @Override
    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            failed("cannot write events: " + e.getMessage());
        }
    }

    @Override
    public synchronized long lost() {
        return lost;
    }

    private void failed(String why) {
        lost++;
        if (!warned) {
            warned = true;
            warnings.println("cellos: " + why + "; such events are lost and counted (told once)");
        }
    }

    @Override
    public synchronized void close() {
        flush();
        if (closeUnderlying) {
            try {
                out.close();
            } catch (IOException e) {
                failed("cannot close the output: " + e.getMessage());
            }
        }
    }
}
