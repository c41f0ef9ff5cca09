package io.cellos.telemetry.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One guest's connection to its cell's listener, as Firecracker presents it to the host: a UNIX
 * socket, written in non-blocking mode with the cell's {@link GuestTraffic}.
 *
 * <p>Confined to one {@link GuestLoad} thread after construction; owns its channel.
 */
final class GuestStream implements AutoCloseable {
    private final SocketChannel channel;
    private final ByteBuffer block;
    private final long streamBytes;
    private long sent;

    /** Connects to {@code socket} (blocking), then switches the channel to non-blocking. */
    GuestStream(Path socket, GuestTraffic traffic) throws IOException {
        this.channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
        } catch (IOException e) {
            channel.close();
            throw new IOException("connecting to " + socket + ": " + e.getMessage(), e);
        }
        this.block = ByteBuffer.wrap(traffic.block());
        this.streamBytes = traffic.streamBytes();
    }

    SocketChannel channel() {
        return channel;
    }

    /**
     * Writes as much of the rest of the stream as one {@code write(2)} takes, at most one block.
     *
     * @return whether the whole stream has now been sent
     */
    boolean writeSome() throws IOException {
        int blockLength = block.capacity();
        int at = (int) (sent % blockLength);
        block.limit((int) Math.min(blockLength, at + (streamBytes - sent))).position(at);
        sent += channel.write(block);
        return sent == streamBytes;
    }

    /** Bytes written so far. */
    long sent() {
        return sent;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
