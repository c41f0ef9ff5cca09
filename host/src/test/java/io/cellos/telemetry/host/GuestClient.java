package io.cellos.telemetry.host;

import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;

/** The guest end of a cell's channel, as Firecracker presents it to the host: a UNIX socket. */
final class GuestClient implements AutoCloseable {
    private final SocketChannel channel;
    private final FrameEncoder encoder = new FrameEncoder();
    private final byte[] frame = new byte[Wire.MAX_FRAME_BYTES];

    GuestClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    /** Sends one well-formed frame. */
    GuestClient send(ProbeEvent e) throws IOException {
        int n;
        try {
            n = encoder.encode(e, frame, 0);
        } catch (FrameException ex) {
            throw new IllegalArgumentException(ex);
        }
        return raw(Arrays.copyOf(frame, n));
    }

    /** Sends bytes as they are. */
    GuestClient raw(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
        return this;
    }

    /** Sends a frame whose body is {@code body}, with a correct length prefix. */
    GuestClient body(byte[] body) throws IOException {
        byte[] f = new byte[Wire.HEADER_BYTES + body.length];
        Wire.writeLength(f, 0, body.length);
        System.arraycopy(body, 0, f, Wire.HEADER_BYTES, body.length);
        return raw(f);
    }

    static byte[] encode(ProbeEvent e) {
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
