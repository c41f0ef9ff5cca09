package io.cellos.telemetry.host.nats;

import io.cloudevents.CloudEvent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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
     * One event ready to publish. {@code cell} is the cell id its subject names; {@code report}
     * marks the sink's own drop reports.
     */
    record Message(String subject, String id, byte[] body, String cell, boolean report) {
    }

    /** What a cell lost, and an event of it, from which its report takes the cell's stamp. */
    static final class Loss {
        final String cell;
        final CloudEvent sample;
        final Map<String, Long> counts = new TreeMap<>();
        long total;
        long reported;
        long reports;

        Loss(String cell, CloudEvent sample) {
            this.cell = cell;
            this.sample = sample;
        }

        /** A copy to read without the outbox's lock. */
        Loss copy() {
            Loss c = new Loss(cell, sample);
            c.counts.putAll(counts);
            c.total = total;
            c.reported = reported;
            c.reports = reports;
            return c;
        }
    }

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private final ArrayDeque<Message> reports = new ArrayDeque<>();
    private final Map<String, Loss> losses = new LinkedHashMap<>();
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

    /** @param capacity events held at most */
    Outbox(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Holds {@code m}, or drops and counts it when the outbox is full or closed.
     *
     * @param event the event {@code m} was made from, kept when it is its cell's first loss
     * @return whether it is held
     */
    Offer offer(Message m, CloudEvent event) {
        lock.lock();
        try {
            if (closed) {
                lose(m.cell(), event, UNDELIVERED, 1);
                return Offer.DROPPED;
            }
            if (queue.size() + taken >= capacity) {
                lose(m.cell(), event, OVERFLOW, 1);
                boolean first = !overflowing;
                overflowing = true;
                return first ? Offer.FIRST_DROP : Offer.DROPPED;
            }
            queue.addLast(m);
            changed.signal();
            return Offer.HELD;
        } finally {
            lock.unlock();
        }
    }

    /** Holds a drop report, outside the bound. */
    void offerReport(Message report) {
        lock.lock();
        try {
            reports.addLast(report);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next message for the publisher, waiting up to {@code timeoutMillis}; reports come
     * before events.
     *
     * @return the message, or {@code null} if none came in time
     */
    Message take(long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (queue.isEmpty() && reports.isEmpty()) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = changed.awaitNanos(nanos);
            }
            taken++;
            return !reports.isEmpty() ? reports.pollFirst() : queue.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Takes the next message if one is waiting, without waiting. */
    Message poll() {
        lock.lock();
        try {
            Message m = !reports.isEmpty() ? reports.pollFirst() : queue.pollFirst();
            if (m != null) {
                taken++;
            }
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** A taken message is settled: acknowledged, or lost (then counted through {@link #lose}). */
    void settled() {
        lock.lock();
        try {
            taken = Math.max(0, taken - 1); // after abandonAll, a late settle finds nothing taken
            if (overflowing && queue.size() + taken <= capacity / 2) {
                overflowing = false;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Counts {@code n} events of {@code cell} as lost for {@code cause}. */
    void lose(String cell, CloudEvent sample, String cause, long n) {
        lock.lock();
        try {
            Loss loss = losses.computeIfAbsent(cell, c -> new Loss(c, sample));
            loss.counts.merge(cause, n, Long::sum);
            loss.total += n;
            lostTotal += n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cells that lost events since their last report, each marked as reported now; their counts
     * are copied, so the caller reads them without the lock.
     */
    List<Loss> unreported() {
        lock.lock();
        try {
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
        } finally {
            lock.unlock();
        }
    }

    /** Copies of every cell's losses so far. */
    List<Loss> losses() {
        lock.lock();
        try {
            List<Loss> all = new ArrayList<>();
            for (Loss l : losses.values()) {
                all.add(l.copy());
            }
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Every event lost so far. */
    long lostTotal() {
        lock.lock();
        try {
            return lostTotal;
        } finally {
            lock.unlock();
        }
    }

    /** Whether events were dropped for want of room since the outbox last fell to half its bound. */
    boolean overflowing() {
        lock.lock();
        try {
            return overflowing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts everything still held as undelivered, for a publisher that did not stop: the waiting
     * events against their cells, the taken ones (whose cells only the publisher knows) in the total.
     *
     * @return how many were counted
     */
    int abandonAll() {
        lock.lock();
        try {
            int n = taken;
            lostTotal += taken;
            taken = 0;
            for (Message m : queue) {
                lose(m.cell(), null, UNDELIVERED, 1);
                n++;
            }
            queue.clear();
            reports.clear();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Whether nothing is held, reports included. */
    boolean empty() {
        lock.lock();
        try {
            return queue.isEmpty() && reports.isEmpty() && taken == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further events (they are counted as undelivered); what is held stays. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes every message still waiting (not those taken): for the count of what the sink could
     * not deliver.
     */
    List<Message> drainWaiting() {
        lock.lock();
        try {
            List<Message> rest = new ArrayList<>(queue);
            rest.addAll(reports);
            queue.clear();
            reports.clear();
            return rest;
        } finally {
            lock.unlock();
        }
    }
}
