package io.cellos.telemetry.host.sink.nats;

import java.io.PrintStream;
import java.time.Duration;

/**
 * What JetStream acknowledged for a {@link Publisher}: every event once, however often it was sent;
 * those it had already stored (duplicates), and among them those this sink had never sent before
 * (another receiver's, under the same run id?), which is told once.
 *
 * <p>Thread-safe: the publisher counts, anyone reads or waits.
 */
final class Acknowledgements {
    private final PrintStream warnings;
    private long acknowledged;
    private long duplicates;
    private long unexpectedDuplicates;

    Acknowledgements(PrintStream warnings) {
        this.warnings = warnings;
    }

    /**
     * Counts the ack of message {@code id}.
     *
     * @param duplicate JetStream had already stored a message with this id
     * @param resent    this sink had sent the message before (an ack lost in an outage)
     */
    void count(String id, boolean duplicate, boolean resent) {
        boolean tell;
        synchronized (this) {
            acknowledged++;
            if (duplicate) {
                duplicates++;
            }
            tell = duplicate && !resent && unexpectedDuplicates++ == 0;
            notifyAll();
        }
        if (tell) {
            warnings.println("cellos: JetStream already held a message with id " + id + " (within its"
                    + " de-duplication window) that this receiver never sent, and did not store this one: another"
                    + " receiver may be using the same run id; give each receiver process a run id of its own"
                    + " (told once; counted)");
        }
    }

    synchronized long acknowledged() {
        return acknowledged;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long unexpectedDuplicates() {
        return unexpectedDuplicates;
    }

    /**
     * Waits until at least {@code n} events were acknowledged, up to {@code patience} of real time
     * (the caller's patience, not the sink's clock).
     *
     * @return whether they were
     */
    synchronized boolean await(long n, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (acknowledged < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
