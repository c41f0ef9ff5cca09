package io.cellos.telemetry.guest.probe;

/**
 * Declares datagrams that reached a probe's netlink socket from another process rather than the
 * kernel: root may send to any netlink port, so a forged audit record or process event is possible,
 * and the socket drops it unread ({@code NetlinkSocket#foreign}). Each new batch is declared once,
 * as {@code agent.tampered}. Confined to the probe's thread.
 */
public final class ForeignDatagrams {
    private final String socket;
    private long seen;

    /** @param socket the socket, in words */
    public ForeignDatagrams(String socket) {
        this.socket = socket;
    }

    /** Declares what {@code count} (cumulative) grew by since the last call. */
    public void check(long count, int lastPort, ProbeOutput out) {
        if (count != seen) {
            out.tampered(-1, null, (count - seen) + " datagram(s) on " + socket + " came from netlink port " + lastPort
                    + ", not the kernel: dropped unread (a forgery)");
            seen = count;
        }
    }
}
