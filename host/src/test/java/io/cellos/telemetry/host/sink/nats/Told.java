package io.cellos.telemetry.host.sink.nats;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A warning stream a test can read and wait on: what was told so far, and a wait until something is. */
final class Told {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(new OutputStream() {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (Told.this) {
                bytes.write(b, off, len);
                Told.this.notifyAll();
            }
        }
    }, true, StandardCharsets.UTF_8);

    /** The stream to hand to the code under test. */
    PrintStream stream() {
        return stream;
    }

    /** Everything told so far. */
    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Waits until {@code text} has been told. Not a timing assertion: the patience is far beyond
     * what the work needs.
     *
     * @throws AssertionError if it is not within {@code patience}, with what was told
     */
    synchronized void await(String text, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!text().contains(text)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("waited " + patience + " to be told '" + text + "'; told: " + text());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
