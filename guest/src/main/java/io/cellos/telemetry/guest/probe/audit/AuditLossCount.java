package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.ReadyGroup;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The audit probe's count of what the kernel lost, from the two places the kernel shows it (see
 * {@link AuditProbe}, "Losses"): the status's {@code lost} counter, and serial numbers that never
 * arrive ({@link AuditSerialGaps}), owed from the marker this count writes into the log at
 * arming — what was made before it is not the probe's.
 *
 * <p>It asks for the status (an asynchronous {@code AUDIT_GET}, answered on the record socket)
 * and settles the gaps a poll's time ({@value #POLL_NANOS} ns) after records came, again every
 * poll until the last serials are settled, and a poll after each configuration change; an idle
 * probe never wakes. Its timer ({@link DueTimer}) is in the probe's {@link ReadyGroup}.
 *
 * <p>Confined to the loop thread; owns its timer.
 */
final class AuditLossCount implements AutoCloseable {
    static final long POLL_NANOS = 250_000_000L;
    /** Serials a late record may trail the newest by, in a burst, and still not count as lost. */
    private static final int SERIAL_WINDOW = 1 << 16;

    private final AuditSerialGaps gaps = new AuditSerialGaps(SERIAL_WINDOW);
    private final DueTimer timer;
    private long lastLost;
    /** The marker's text, {@code null} once it came back; sent again each wake while the kernel could not take it. */
    private byte[] marker;
    private boolean markerSent;

    /**
     * Starts counting: the status's counter from {@code found}, the serials from a marker sent now.
     *
     * @throws ErrnoException if the timer cannot be made or the marker sent
     */
    AuditLossCount(int self, AuditStatus found, ReadyGroup ready, AuditNetlink control) throws ErrnoException {
        lastLost = Integer.toUnsignedLong(found.lost());
        timer = new DueTimer(ready);
        try {
            marker = ("cellos-agent " + self + " armed " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
            sendMarker(control);
        } catch (ErrnoException | RuntimeException e) {
            timer.close();
            throw e;
        }
    }

    /**
     * The start of a wake at {@code now} ({@link System#nanoTime}): asks for the status if the poll
     * is due ({@code requests}: where the answer comes), and sends the marker if it is still owed.
     */
    void onWake(long now, AuditNetlink requests, AuditNetlink control, ProbeOutput out) throws ErrnoException {
        if (timer.expired(now)) {
            boolean asked = requests.requestStatus();
            count(gaps.settle(), out);
            if (!asked || gaps.unsettled()) {
                arm();
            }
        }
        if (marker != null && !markerSent) {
            sendMarker(control);
        }
    }

    /** A receive overrun: one record at least was lost. */
    void overrun(ProbeOutput out) {
        out.lost(1);
    }

    /** A record with {@code serial} came; a user message among them ({@code buf}, {@code n} bytes) may be the marker. */
    void seen(long serial, boolean userMessage, MemorySegment buf, long n, ProbeOutput out) {
        count(gaps.seen(serial), out); // a user message takes a serial too: a barrier, a marker
        if (userMessage && marker != null && AuditLog.contains(buf, n, marker)) {
            gaps.startAt(serial);
            marker = null;
        }
    }

    /** The status's {@code lost} counter as it is now; a smaller one means someone reset it: all of it is new. */
    void status(AuditStatus status, ProbeOutput out) {
        long now = Integer.toUnsignedLong(status.lost());
        count(now >= lastLost ? now - lastLost : now, out);
        lastLost = now;
    }

    /**
     * The end of a wake: the poll is armed if records came and it is not armed yet, and armed anew
     * after a configuration change (whose record the kernel logs before the change is made).
     */
    void endOfWake(boolean sawRecords, boolean configChanged) throws ErrnoException {
        if (configChanged || sawRecords && !timer.armed()) {
            arm();
        }
    }

    private void arm() throws ErrnoException {
        timer.arm(POLL_NANOS);
    }

    private void sendMarker(AuditNetlink control) throws ErrnoException {
        markerSent = control.sendUserMessage(new String(marker, StandardCharsets.US_ASCII));
    }

    private static void count(long lost, ProbeOutput out) {
        if (lost > 0) {
            out.lost(lost);
        }
    }

    @Override
    public void close() {
        timer.close();
    }
}
