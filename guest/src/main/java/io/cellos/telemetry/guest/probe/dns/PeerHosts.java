package io.cellos.telemetry.guest.probe.dns;

import io.cellos.telemetry.guest.linux.PeerAddress;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DNS name the guest last resolved to each address, as the agent saw the answers
 * ({@link DnsAnswersProbe}), and the {@code host} it gives a {@code net.connect_attempted} to such an
 * address (protocol.md §4) — whatever the probe mechanism that saw the connect.
 *
 * <p><b>Bounds.</b> At most {@link #CAPACITY} addresses; beyond, the least recently learnt or used
 * is forgotten. An entry lasts its answer's TTL, at least {@link #MIN_TTL_SECONDS} (a TTL of 0 still
 * names the connect that follows the lookup at once) and at most {@link #MAX_TTL_SECONDS}, from
 * when the agent read the answer; an expired entry names nothing. A newer answer for an address
 * replaces the name: the last resolved wins. Keys are addresses as {@link PeerAddress} writes them,
 * so an IPv4-mapped IPv6 peer finds the IPv4 answer; the port and an IPv6 scope are ignored.
 *
 * <p>Confined to the agent's loop thread: written by the probe, read where events enter the queue.
 */
public final class PeerHosts {
    public static final int CAPACITY = 4096;
    public static final long MIN_TTL_SECONDS = 1;
    public static final long MAX_TTL_SECONDS = 3600;

    private record Named(String host, long expiresAt) {
    }

    private final int capacity;
    private final StringBuilder key = new StringBuilder(48);
    private final LinkedHashMap<String, Named> entries;
    private long forgotten;

    public PeerHosts() {
        this(CAPACITY);
    }

    public PeerHosts(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Named> eldest) {
                if (size() > PeerHosts.this.capacity) {
                    forgotten++;
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * Remembers that {@code name} resolved to the address of {@code length} bytes (4 or 16) at
     * {@code at} in {@code b}, for {@code ttlSeconds} from {@code now} ({@link System#nanoTime()}).
     */
    public void learn(byte[] b, int at, int length, String name, long ttlSeconds, long now) {
        key.setLength(0);
        if (!PeerAddress.appendIp(b, at, length, key)) {
            return;
        }
        long seconds = Math.clamp(ttlSeconds, MIN_TTL_SECONDS, MAX_TTL_SECONDS);
        String k = key.toString();
        entries.remove(k); // a fresh answer is the most recent, whatever its order before
        entries.put(k, new Named(name, now + seconds * 1_000_000_000L));
    }

    /**
     * The name last resolved to the address of {@code peer} ({@code ip:port}, {@code [ip]:port} or
     * {@code [ip%scope]:port}), or null: none known, expired, or not an IP peer ({@code unix:...}).
     */
    public String hostOf(String peer, long now) {
        if (peer == null || peer.isEmpty() || peer.startsWith("unix:")) {
            return null;
        }
        String address;
        if (peer.charAt(0) == '[') {
            int close = peer.indexOf(']');
            if (close < 0) {
                return null;
            }
            int scope = peer.indexOf('%');
            address = peer.substring(1, scope > 0 && scope < close ? scope : close);
        } else {
            int colon = peer.lastIndexOf(':');
            address = colon < 0 ? peer : peer.substring(0, colon);
        }
        Named e = entries.get(address);
        if (e == null) {
            return null;
        }
        // an expired entry stays until pushed out: events reach the queue not quite in the order of
        // their stamps, and an earlier connect may still be within the TTL
        return now - e.expiresAt() >= 0 ? null : e.host();
    }

    /**
     * {@link #withHost(ProbeEvent, long)} as of the connect itself ({@code guest_monotonic_ns}, the
     * clock of {@link System#nanoTime()}): an event that reaches the queue late — held behind its
     * process's exec while that is hashed — is named by what was valid when it was made.
     */
    public ProbeEvent withHost(ProbeEvent event) {
        return withHost(event, event.guestMonotonicNs());
    }

    /**
     * {@code event} with {@code host} when it is a {@code net.connect_attempted} to an address a
     * name was resolved to and carries no host yet; otherwise {@code event} itself.
     */
    public ProbeEvent withHost(ProbeEvent event, long now) {
        if (event.source() != ProbeSource.NET_CONNECT_ATTEMPTED || event.extensions().host() != null) {
            return event;
        }
        String host = hostOf(event.extensions().peer(), now);
        return host == null ? event : event.withExtensions(event.extensions().withHost(host));
    }

    /** How many addresses are known, expired ones included until pushed out. */
    public int size() {
        return entries.size();
    }

    /** Addresses forgotten to keep within the capacity. */
    public long forgotten() {
        return forgotten;
    }
}
