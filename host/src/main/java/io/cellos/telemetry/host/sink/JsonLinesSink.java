package io.cellos.telemetry.host.sink;

import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.sign.EventSigner;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes each event as one line of CloudEvents JSON (protocol.md §7), optionally signed; a signed
 * event is linked into its cell's hash chain as it is signed (§7.9).
 *
 * <p>Thread-safe. Serialization and signing run on the calling thread, into that thread's own
 * {@link LineBuffer}; a thread's lines are written out together, in one write, when they reach
 * 64 KiB and on {@link #flush}. So emitting threads share nothing per event,
 * and a thread that waits for the output (a slow disk) does not hold up the others while they
 * still have room. Lines of one thread keep their order; lines of different threads interleave
 * by batch. The sink keeps one buffer for every thread that ever emitted, until it is closed.
 * A cell's events come from its receiver's I/O thread, so its lines usually keep the order of its
 * chain; a reader follows the links, not the lines, for nothing here promises it.
 *
 * <p>A write that fails (disk full, closed pipe), or an event that cannot be serialized or signed,
 * is lost: it is counted in {@link #lost()} and the first failure is told on the warning stream.
 * An event that could not be signed never joins its chain; one lost in the write leaves a gap that
 * a verifier of the chain names.
 */
public final class JsonLinesSink implements EventSink {
    /** A thread's lines are written out once they hold this many bytes. */
    private static final int WRITE_BYTES = 1 << 16;

    private final OutputStream out;
    private final EventSigner signer;
    private final PrintStream warnings;
    private final boolean closeUnderlying;
    private final Set<LineBuffer> buffers = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<LineBuffer> buffer = ThreadLocal.withInitial(this::newBuffer);
    /** Guards {@link #out}, {@link #lost} and {@link #warned}; taken after a buffer's monitor, never before. */
    private final Object output = new Object();
    private long lost;
    private boolean warned;

    /**
     * @param out             where lines go; owned by this sink if {@code closeUnderlying}
     * @param signer          signs each line, or {@code null} for unsigned output
     * @param warnings        where a failure to write is told once
     * @param closeUnderlying whether {@link #close} closes {@code out} (not for standard output)
     */
    public JsonLinesSink(OutputStream out, EventSigner signer, PrintStream warnings, boolean closeUnderlying) {
        this.out = out;
        this.signer = signer;
        this.warnings = warnings;
        this.closeUnderlying = closeUnderlying;
    }

    private LineBuffer newBuffer() {
        LineBuffer b = new LineBuffer(WRITE_BYTES + WRITE_BYTES / 4);
        buffers.add(b);
        return b;
    }

    @Override
    public void emit(CellEvent event) {
        LineBuffer b = buffer.get();
        synchronized (b) {
            try {
                b.append(event.cloudEvent(), signer, event.chain());
            } catch (IOException e) {
                failed(1, e.getMessage());
                return;
            }
            b.endLine();
            if (b.size() >= WRITE_BYTES) {
                writeOut(b);
            }
        }
    }

    /** Writes out {@code b}'s lines; the caller holds {@code b}'s monitor. */
    private void writeOut(LineBuffer b) {
        synchronized (output) {
            int lines = b.lines();
            try {
                b.writeTo(out);
            } catch (IOException e) {
                failed(lines, "cannot write events: " + e.getMessage());
            }
        }
    }

    /** Writes out the lines of every thread, then flushes the output. */
    @Override
    public void flush() {
        for (LineBuffer b : buffers) {
            synchronized (b) {
                if (b.size() > 0) {
                    writeOut(b);
                }
            }
        }
        synchronized (output) {
            try {
                out.flush();
            } catch (IOException e) {
                failed(1, "cannot write events: " + e.getMessage());
            }
        }
    }

    @Override
    public long lost() {
        synchronized (output) {
            return lost;
        }
    }

    private void failed(int events, String why) {
        synchronized (output) {
            lost += events;
            if (!warned) {
                warned = true;
                warnings.println("cellos: " + why + "; such events are lost and counted (told once)");
            }
        }
    }

    @Override
    public void close() {
        flush();
        if (closeUnderlying) {
            synchronized (output) {
                try {
                    out.close();
                } catch (IOException e) {
                    failed(1, "cannot close the output: " + e.getMessage());
                }
            }
        }
    }
}
