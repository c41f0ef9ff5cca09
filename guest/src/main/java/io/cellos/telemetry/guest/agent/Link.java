package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The agent's connection to the host, kept up: a {@link Channel} registered in the loop's
 * {@code epoll}, reconnected with a doubling back-off (from {@value #RECONNECT_MIN_NANOS} ns to
 * {@value #RECONNECT_MAX_NANOS} ns) whenever it breaks. The sender ({@link Listener}) hears each
 * connection come up and each break, and the agent's log hears of the first break of an outage
 * and of the reconnect that ends it — never of each attempt.
 *
 * <p>Confined to the agent's loop thread; owns the channel.
 */
final class Link implements AutoCloseable {
    static final long RECONNECT_MIN_NANOS = 50_000_000L;
    static final long RECONNECT_MAX_NANOS = 2_000_000_000L;

    /** What the sender does when a connection comes up or breaks. */
    interface Listener {
        /** A new connection: its first frame is due (the drop report, carrying the session). */
        void connected();

        /** The connection broke: what was not wholly written is lost with it. */
        void broken();

        /** Events dropped so far, for the log. */
        long dropped();
    }

    private final Channel channel;
    private final Epoll epoll;
    private final long token;
    private final PrintStream log;
    private final Listener listener;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment scratchIn = arena.allocate(512);
    private int interest;
    private boolean registered;
    private long reconnectAtNanos;
    private long reconnectDelayNanos = RECONNECT_MIN_NANOS;
    private boolean warnedDown;

    /**
     * @param channel not yet connected; owned by the link from now on
     * @param token   the link's token in {@code epoll}
     */
    Link(Channel channel, Epoll epoll, long token, PrintStream log, Listener listener) {
        this.channel = channel;
        this.epoll = epoll;
        this.token = token;
        this.log = log;
        this.listener = listener;
    }

    TransportAddress address() {
        return channel.address();
    }

    boolean isConnected() {
        return channel.isConnected();
    }

    /** Whether a socket is open: connected, or connecting. */
    boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Connects, waiting at most {@code patienceNanos} on the loop's {@code epoll} (nothing else is
     * registered yet that could wake it for long): part of the agent becoming ready.
     *
     * @throws ErrnoException naming the address and the errno if it cannot connect
     */
    void connect(long patienceNanos) throws ErrnoException {
        long deadline = System.nanoTime() + patienceNanos;
        if (!channel.connect()) {
            register(Epoll.EPOLLOUT);
            while (!awaitWritable(deadline - System.nanoTime())) {
                if (deadline - System.nanoTime() <= 0) {
                    channel.disconnect();
                    throw new ErrnoException("connect(" + channel.address() + ") within "
                            + patienceNanos / 1_000_000 + " ms", Errno.ETIMEDOUT);
                }
            }
            channel.finishConnect();
        }
        up();
    }

    private boolean awaitWritable(long leftNanos) throws ErrnoException {
        if (leftNanos <= 0) {
            return false;
        }
        int n = epoll.await((int) Math.max(1, leftNanos / 1_000_000));
        for (int i = 0; i < n; i++) {
            if (epoll.token(i) == token) {
                return true;
            }
        }
        return false;
    }

    /** The channel's fd is ready with {@code events}: a connect finished, or the host closed. */
    void onEvents(int events) {
        if (!channel.isConnected()) {
            try {
                channel.finishConnect();
                up();
            } catch (ErrnoException e) {
                broken(e.getMessage());
            }
            return;
        }
        if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0
                && !channel.drainInput(scratchIn)) {
            broken("the host closed the connection");
        }
    }

    /** Tries again to connect if no socket is open and the back-off has passed. */
    void reconnectIfDue(long now) {
        if (channel.isOpen() || now - reconnectAtNanos < 0) {
            return;
        }
        registered = false; // the closed socket left epoll with its fd
        try {
            if (channel.connect()) {
                up();
            } else {
                register(Epoll.EPOLLOUT);
            }
        } catch (ErrnoException e) {
            scheduleReconnect(now, e.getMessage());
        }
    }

    /** When the next reconnect is due ({@link System#nanoTime()}); meaningful while no socket is open. */
    long reconnectAt() {
        return reconnectAtNanos;
    }

    /**
     * Writes what the socket takes of {@code bytes}.
     *
     * @return the bytes written, {@code 0} if the socket is full; on any other failure the link
     *         is broken (the listener heard it) and the result is {@code -1}
     */
    long write(MemorySegment bytes) {
        long n = channel.write(bytes, bytes.byteSize());
        if (n == -Errno.EAGAIN) {
            return 0;
        }
        if (n < 0) {
            broken(Errno.describe((int) -n));
            return -1;
        }
        return n;
    }

    /** Asks to be woken when the socket can take more ({@code pending}), and always when the host closes. */
    void wantWritable(boolean pending) {
        if (!channel.isOpen()) {
            return;
        }
        int want = Epoll.EPOLLIN | Epoll.EPOLLRDHUP | (pending ? Epoll.EPOLLOUT : 0);
        if (!registered || want != interest) {
            register(want);
        }
    }

    private void up() {
        reconnectDelayNanos = RECONNECT_MIN_NANOS;
        listener.connected();
        if (warnedDown) {
            log.println("cellos-telemetry: reconnected to " + channel.address() + "; " + listener.dropped()
                    + " events dropped so far");
            warnedDown = false;
        }
        wantWritable(false);
    }

    private void broken(String why) {
        long now = System.nanoTime();
        listener.broken();
        channel.disconnect();
        registered = false;
        scheduleReconnect(now, why);
    }

    private void scheduleReconnect(long now, String why) {
        if (!warnedDown) {
            log.println("cellos-telemetry: channel to " + channel.address() + " down (" + why
                    + "); reconnecting, events are queued up to the limit and counted beyond it");
            warnedDown = true;
        }
        reconnectAtNanos = now + reconnectDelayNanos;
        reconnectDelayNanos = Math.min(RECONNECT_MAX_NANOS, reconnectDelayNanos * 2);
    }

    private void register(int events) {
        try {
            if (registered) {
                epoll.modify(channel.fd(), events, token);
            } else {
                epoll.add(channel.fd(), events, token);
                registered = true;
            }
            interest = events;
        } catch (ErrnoException e) {
            broken(e.getMessage());
        }
    }

    @Override
    public void close() {
        channel.close();
        arena.close();
    }
}
