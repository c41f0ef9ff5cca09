package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.probe.dns.PeerHosts;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

/**
 * The agent's bounded queue of observations, with the drop counter: an event that finds the
 * queue full is discarded and counted, never waited for. Every event the agent sends enters here,
 * whichever probe saw it, so a {@code net.connect_attempted} is given its {@code host} here
 * ({@link PeerHosts}), once: as it leaves ({@link #peek}), not as it enters, so that a DNS answer
 * the agent reads after the connect (it reached the kernel first) still names it. The queue tells
 * when a connect without a name entered since it last asked ({@link #takeUnnamedConnects}), so the
 * agent reads the DNS answers once more before such a connect leaves — and only then.
 *
 * <p>Confined to the agent's loop thread (probes and the sender run there).
 */
final class EventQueue {
    private final ProbeEvent[] ring;
    /** The names resolved to peers' addresses; null: connects go without {@code host}. */
    private final PeerHosts hosts;
    private int head;
    private int size;
    private long dropped;
    private boolean unnamedConnects;

    EventQueue(int capacity) {
        this(capacity, null);
    }

    /** @param hosts gives connects their {@code host}; null for none */
    EventQueue(int capacity, PeerHosts hosts) {
        this.hosts = hosts;
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
        }
        ring = new ProbeEvent[capacity];
    }

    /** Adds {@code e}, or counts it as dropped when the queue is full. */
    void offer(ProbeEvent e) {
        if (size == ring.length) {
            dropped++;
            return;
        }
        ring[(head + size) % ring.length] = e;
        size++;
        if (hosts != null && e.source() == ProbeSource.NET_CONNECT_ATTEMPTED && e.extensions().host() == null) {
            unnamedConnects = true;
        }
    }

    /**
     * Whether a {@code net.connect_attempted} without a {@code host} was offered since the last
     * call (never with no {@link PeerHosts}); the answer is reset.
     */
    boolean takeUnnamedConnects() {
        boolean any = unnamedConnects;
        unnamedConnects = false;
        return any;
    }

    /**
     * The oldest event (a connect with its {@code host}, if one is known now), or {@code null}. A
     * name found is kept with the event, so that a connect peeked again (the socket was full) is
     * not looked up again.
     */
    ProbeEvent peek() {
        if (size == 0) {
            return null;
        }
        if (hosts != null) {
            ring[head] = hosts.withHost(ring[head]);
        }
        return ring[head];
    }

    /** Removes the oldest event. */
    void remove() {
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
    }

    /** Discards everything queued, counting each as dropped. */
    void dropAll() {
        while (size > 0) {
            remove();
            dropped++;
        }
    }

    /** Counts {@code n} events lost elsewhere (a kernel overrun, a frame cut by a broken channel). */
    void countDropped(long n) {
        dropped += n;
    }

    /** Events discarded since the agent started: cumulative, never decreasing. */
    long dropped() {
        return dropped;
    }

    /** Whether the next {@link #offer} would be dropped. */
    boolean full() {
        return size == ring.length;
    }

    int size() {
        return size;
    }
}
