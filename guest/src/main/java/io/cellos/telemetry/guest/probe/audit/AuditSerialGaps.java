package io.cellos.telemetry.guest.probe.audit;

import java.util.Arrays;

/**
 * Counts audit events that never arrived, by the serial numbers missing among those that did.
 *
 * <p>Why: the kernel numbers every event it records, and the audit daemon, or a reader of the
 * multicast log, is sent every one. The status's {@code lost} counter covers only records dropped
 * before they were numbered (a full backlog). A numbered record that the daemon's socket cannot take
 * within the kernel's send time-out is, on a kernel booted without {@code audit=1}, discarded with no
 * count anywhere — it shows only as a serial that never comes. This class turns those into a count.
 *
 * <p>Records of two events are queued from different CPUs and may arrive out of order — a task can
 * even be preempted between numbering its record and queueing it — so a missing serial is counted
 * only when it has stayed missing for two whole settling periods (it was below the highest serial
 * seen two calls of {@link #settle} ago), or when it falls out of the window of the last
 * {@code window} serials. A
 * serial that arrives after it was counted is ignored: the count may over-state losses (also when
 * the kernel counted the same drop in {@code lost}), never hide one. Serials are 32-bit and wrap;
 * tracking starts over when they do.
 *
 * <p>Nothing is counted until {@link #startAt} says from which serial on every record is the
 * reader's to receive: a reader does not receive what the kernel sent before it was listening, nor
 * is it owed the records of a call that began before (a record is numbered when it is made, at the
 * call's end, so the serials of records made before a marker the reader writes into the log are
 * below the marker's, and those after it are above).
 *
 * <p>Allocates nothing after construction. Confined to the probe's thread.
 */
final class AuditSerialGaps {
    private static final long WRAP_DISTANCE = 1L << 31;

    private final long[] bits;
    private final int window;
    private boolean started;
    /** {@link #startAt} was called: gaps count from then on. */
    private boolean anchored;
    /** The lowest serial not yet settled. */
    private long base;
    /** The highest serial seen (at least {@code base - 1}). */
    private long highest;
    /** The highest serial seen two {@link #settle}s ago: what the next one settles. */
    private long fence;
    /** The highest serial seen at the previous {@link #settle}. */
    private long nextFence;

    /** @param window how many serials back a late record may still arrive in a burst; a multiple of 64 */
    AuditSerialGaps(int window) {
        if (window <= 0 || window % 64 != 0) {
            throw new IllegalArgumentException("window must be a positive multiple of 64: " + window);
        }
        this.window = window;
        this.bits = new long[window / 64];
    }

    /**
     * Notes that a record with {@code serial} arrived.
     *
     * @return events counted as lost now, because they fell out of the window
     */
    long seen(long serial) {
        if (!started || base - serial > WRAP_DISTANCE) {
            started = true;
            base = serial;
            highest = serial - 1;
            fence = serial - 1;
            nextFence = serial - 1;
            Arrays.fill(bits, 0);
        }
        if (serial < base) {
            return 0;
        }
        long counted = serial - base >= window ? settleThrough(serial - window) : 0;
        if (!anchored) {
            counted = 0; // before the anchor, what falls out of the window is forgotten, not counted
        }
        int i = (int) (serial % window);
        bits[i >>> 6] |= 1L << i;
        highest = Math.max(highest, serial);
        return counted;
    }

    /**
     * Counts the serials still missing below the highest one seen two calls ago; call it
     * periodically while {@link #unsettled}.
     *
     * @return events counted as lost now
     */
    long settle() {
        if (!anchored) {
            return 0;
        }
        long counted = fence >= base ? settleThrough(fence) : 0;
        fence = nextFence;
        nextFence = highest;
        return counted;
    }

    /**
     * Every serial above {@code serial} is to be received from now on, and counted if it is not;
     * what was seen at or below it is forgotten.
     */
    void startAt(long serial) {
        anchored = true;
        if (!started || base - serial > WRAP_DISTANCE || serial - base > WRAP_DISTANCE) {
            started = true;
            Arrays.fill(bits, 0);
            base = serial + 1;
            highest = serial;
        } else if (serial >= base) {
            for (long s = base; s <= serial; s++) { // forget what came before the anchor
                int i = (int) (s % window);
                bits[i >>> 6] &= ~(1L << i);
            }
            base = serial + 1;
            highest = Math.max(highest, serial);
        } else {
            base = serial + 1; // the serials between it and the first seen are owed too
        }
        fence = serial; // what is above the anchor settles two periods from now, as always
        nextFence = serial;
    }

    /** Whether serials have been seen that a later {@link #settle} has yet to account for. */
    boolean unsettled() {
        return started && highest >= base;
    }

    /** Counts and forgets every serial from {@code base} through {@code last} that was not seen. */
    private long settleThrough(long last) {
        long counted = 0;
        long seenUpTo = Math.min(last, highest);
        for (long s = base; s <= seenUpTo; s++) {
            int i = (int) (s % window);
            long bit = 1L << i;
            if ((bits[i >>> 6] & bit) == 0) {
                counted++;
            } else {
                bits[i >>> 6] &= ~bit;
            }
        }
        if (last > highest) {
            // nothing above the highest serial was seen
            counted += last - Math.max(base, highest + 1) + 1;
            highest = last;
        }
        base = last + 1;
        return counted;
    }
}
