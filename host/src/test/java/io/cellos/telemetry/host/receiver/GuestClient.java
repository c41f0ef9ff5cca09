package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The guest end of a cell's channel, as Firecracker presents it to the host: a UNIX socket. Sends
 * its session on the first frame it sends with {@link #send}, as the agent does on every connection.
 */
public final class GuestClient implements AutoCloseable {
    /** The session of the tests' agent: 32 lowercase hex digits. */
    public static final String SESSION = "5e55102a0c0ffee0123456789abcdef0";

    private final SocketChannel channel;
    private final String session;
    private final FrameEncoder encoder = new FrameEncoder();
    private final byte[] frame = new byte[Wire.MAX_FRAME_BYTES];
    private boolean sent;

    /** A connection of the tests' agent, which sends {@link #SESSION}. */
    public GuestClient(Path socket) throws IOException {
        this(socket, SESSION);
    }

    /** @param session what its first frame carries, or {@code null} for none (a CellOS 0.5 agent, or a stranger) */
    public GuestClient(Path socket, String session) throws IOException {
        this.session = session;
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    /** Sends one well-formed frame; the connection's first carries its session. */
    public GuestClient send(ProbeEvent e) throws IOException {
        if (!sent && session != null) {
            e = e.withExtensions(e.extensions().withSession(session));
        }
        int n;
        try {
            n = encoder.encode(e, frame, 0);
        } catch (FrameException ex) {
            throw new IllegalArgumentException(ex);
        }
        return raw(Arrays.copyOf(frame, n));
    }

    /** Sends bytes as they are: no session is added to them. */
    public GuestClient raw(byte[] bytes) throws IOException {
        sent = true;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
        return this;
    }

    /** Sends a frame whose body is {@code body}, with a correct length prefix. */
    GuestClient body(byte[] body) throws IOException {
        return raw(frameOf(body));
    }

    /** {@code body} behind a correct length prefix. */
    static byte[] frameOf(byte[] body) {
        byte[] f = new byte[Wire.HEADER_BYTES + body.length];
        Wire.writeLength(f, 0, body.length);
        System.arraycopy(body, 0, f, Wire.HEADER_BYTES, body.length);
        return f;
    }

    /**
     * Waits until the host has closed its end (the receiver never writes, so the first thing a read
     * can see is the end); whether it did within {@code patience}. Not a timing assertion: the
     * patience is far beyond what the work needs.
     */
    public boolean awaitClosedByHost(Duration patience) throws IOException {
        channel.configureBlocking(false);
        long deadline = System.nanoTime() + patience.toNanos();
        ByteBuffer one = ByteBuffer.allocate(1);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                selector.select(Math.max(1, left / 1_000_000));
                try {
                    if (channel.read(one.clear()) < 0) {
                        return true;
                    }
                } catch (IOException e) {
                    return true; // closed with our bytes unread: the kernel says ECONNRESET
                }
            }
        }
        return false;
    }

    /** {@code e} encoded as the agent's first frame of a connection: with {@link #SESSION}. */
    static byte[] encodeFirst(ProbeEvent e) {
        return encode(e.withExtensions(e.extensions().withSession(SESSION)));
    }

    public static byte[] encode(ProbeEvent e) {
        byte[] f = new byte[Wire.MAX_FRAME_BYTES];
        try {
            return Arrays.copyOf(f, new FrameEncoder().encode(e, f, 0));
        } catch (FrameException ex) {
            throw new UncheckedIOException(new IOException(ex));
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
