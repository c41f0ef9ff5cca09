package io.cellos.telemetry.host.sink.nats;

import io.cellos.telemetry.host.Clock;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.sign.EventChain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The events a {@link NatsSink} holds, in the order they were emitted, and what it lost, by cell.
 *
 * <p>The bound counts every event held: waiting, and taken by the publisher but not yet settled
 * (acknowledged, or lost). {@link #offer} never waits: an event beyond the bound is dropped and
 * counted against its cell. From the first such drop until what is held has fallen to half the
 * bound, the outbox is {@linkplain #overflowing() overflowing}. Drop reports ({@link #offerReport})
 * are outside the bound and are taken before waiting events, so that they go out while events still
 * flow; their counts are cumulative, so a late one replaces nothing and loses nothing.
 *
 * <p>Its monitor is also what the publisher, and the sink closing it, wait on ({@link #await}):
 * whatever changes the outbox wakes them, and so does {@link #wake} (an ack that arrived, a deadline
 * that moved), and their deadlines are read on the sink's {@link Clock}.
 *
 * <p>Thread-safe: any number of emitting threads, one publisher.
 */
final class Outbox {
    /** Cause code: the buffer was full. */
    static final String OVERFLOW = "sink_overflow";
    /** Cause code: JetStream refused the event for good. */
    static final String REJECTED = "sink_rejected";
    /** Cause code: it could not be serialized or signed. */
    static final String UNENCODABLE = "sink_unencodable";
    /** Cause code: still held when the sink closed. */
    static final String UNDELIVERED = "sink_undelivered";

    /**
     * One event ready to publish. {@code stamp} is its cell's, whose id its subject names, and
     * {@code chain} its cell's hash chain, which the cell's drop report joins; {@code report} marks
     * the sink's own drop reports.
     */
    record Message(String subject, String id, byte[] body, CellStamp stamp, EventChain chain, boolean report) {
    }

    /** What a cell lost, with the cell's stamp, which its report carries, and the chain it joins. */
    static final class Loss {
        final CellStamp stamp;
        final EventChain chain;
        final Map<String, Long> counts = new TreeMap<>();
        long total;
        long reported;
        long reports;

        Loss(CellStamp stamp, EventChain chain) {
            this.stamp = stamp;
            this.chain = chain;
        }

        /** A copy to read without holding the outbox. */
        Loss copy() {
            Loss c = new Loss(stamp, chain);
            c.counts.putAll(counts);
            c.total = total;
            c.reported = reported;
            c.reports = reports;
            return c;
        }
    }

    private final int capacity;
    private final Clock clock;
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private final ArrayDeque<Message> reports = new ArrayDeque<>();
    /** By the chain of the bound cell they belong to (one per bind: compared by identity). */
    private final Map<EventChain, Loss> losses = new LinkedHashMap<>();
    private int taken;
    private long lostTotal;
    private boolean closed;
    private boolean overflowing;

    /** What became of an offered event. */
    enum Offer {
        HELD,
        /** Dropped and counted. */
        DROPPED,
        /** Dropped and counted, the first since the outbox last had room: a new overflow to tell. */
        FIRST_DROP
    }

    /**
     * @param capacity events held at most
     * @param clock    what the waits on this outbox are timed by
     */
    Outbox(int capacity, Clock clock) {
        this.capacity = capacity;
        this.clock = clock;
    }

    /**
     * Holds {@code m}, or drops and counts it when the outbox is full or closed.
     *
     * @return whether it is held
     */
    synchronized Offer offer(Message m) {
        if (closed) {
            lose(m.stamp(), m.chain(), UNDELIVERED, 1);
            return Offer.DROPPED;
        }
        if (queue.size() + taken >= capacity) {
            lose(m.stamp(), m.chain(), OVERFLOW, 1);
            boolean first = !overflowing;
            overflowing = true;
            return first ? Offer.FIRST_DROP : Offer.DROPPED;
        }
        queue.addLast(m);
        notifyAll();
        return Offer.HELD;
    }

    /** Holds a drop report, outside the bound. */
    synchronized void offerReport(Message report) {
        reports.addLast(report);
        notifyAll();
    }

    /**
     * Takes the next message for the publisher, waiting until the clock reaches {@code deadlineNanos}
     * at the latest, or the outbox is closed; reports come before events.
     *
     * @return the message, or {@code null} if none came in time or the outbox is closed and empty
     */
    synchronized Message take(long deadlineNanos) throws InterruptedException {
        await(() -> !queue.isEmpty() || !reports.isEmpty() || closed, () -> deadlineNanos);
        return poll();
    }

    /**
     * Waits on this outbox's monitor until {@code done} says so, or the clock reaches {@code until},
     * which is read again after every wake-up (a deadline that moves closer, and says so with
     * {@link #wake}, counts at once). {@code done} is tested holding the monitor.
     */
    synchronized void await(BooleanSupplier done, LongSupplier until) throws InterruptedException {
        while (!done.getAsBoolean()) {
            long deadline = until.getAsLong();
            if (clock.nanoTime() - deadline >= 0) {
                return;
            }
            clock.awaitUntil(this, deadline);
        }
    }

    /** Wakes whoever waits on this outbox to look again: something it waits for may have changed. */
    synchronized void wake() {
        notifyAll();
    }

    /** Takes the next message if one is waiting, without waiting. */
    synchronized Message poll() {
        Message m = !reports.isEmpty() ? reports.pollFirst() : queue.pollFirst();
        if (m != null) {
            taken++;
        }
        return m;
    }

    /** A taken message is settled: acknowledged, or lost (then counted through {@link #lose}). */
    synchronized void settled() {
        taken = Math.max(0, taken - 1); // after abandonAll, a late settle finds nothing taken
        if (overflowing && queue.size() + taken <= capacity / 2) {
            overflowing = false;
        }
        notifyAll();
    }

    /**
     * Counts {@code n} events of the cell {@code stamp} names as lost for {@code cause}. Losses are
     * kept per bound cell, by its {@code chain}: a cell id bound again for another run gets
     * reports of its own, with that run's stamp, in that run's chain.
     */
    synchronized void lose(CellStamp stamp, EventChain chain, String cause, long n) {
        Loss loss = losses.computeIfAbsent(chain, c -> new Loss(stamp, chain));
        loss.counts.merge(cause, n, Long::sum);
        loss.total += n;
        lostTotal += n;
    }

    /**
     * Cells that lost events since their last report, each marked as reported now; their counts
     * are copied, so the caller reads them without holding the outbox.
     */
    synchronized List<Loss> unreported() {
        if (losses.isEmpty()) {
            return List.of(); // the usual case, checked often: nothing made
        }
        List<Loss> due = new ArrayList<>();
        for (Loss l : losses.values()) {
            if (l.total != l.reported) {
                l.reports++;
                l.reported = l.total;
                due.add(l.copy());
            }
        }
        return due;
    }

    /** Copies of every cell's losses so far. */
    synchronized List<Loss> losses() {
        List<Loss> all = new ArrayList<>();
        for (Loss l : losses.values()) {
            all.add(l.copy());
        }
        return all;
    }

    /** Events held now: waiting, and taken but not settled (drop reports, outside the bound, not counted). */
    synchronized long held() {
        return queue.size() + taken;
    }

    /** Every event lost so far. */
    synchronized long lostTotal() {
        return lostTotal;
    }

    /** Whether events were dropped for want of room since the outbox last fell to half its bound. */
    synchronized boolean overflowing() {
        return overflowing;
    }

    /**
     * Counts everything still held as undelivered, for a publisher that did not stop: the waiting
     * events against their cells, the taken ones (whose cells only the publisher knows) in the total.
     *
     * @return how many were counted
     */
    synchronized int abandonAll() {
        int n = taken;
        lostTotal += taken;
        taken = 0;
        for (Message m : queue) {
            lose(m.stamp(), m.chain(), UNDELIVERED, 1);
            n++;
        }
        queue.clear();
        reports.clear();
        return n;
    }

    /** Whether nothing is held, reports included. */
    synchronized boolean empty() {
        return queue.isEmpty() && reports.isEmpty() && taken == 0;
    }

    /** Refuses further events (they are counted as undelivered); what is held stays. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean closed() {
        return closed;
    }

    /**
     * Takes every message still waiting (not those taken): for the count of what the sink could
     * not deliver.
     */
    synchronized List<Message> drainWaiting() {
        List<Message> rest = new ArrayList<>(queue);
        rest.addAll(reports);
        queue.clear();
        reports.clear();
        return rest;
    }
}
