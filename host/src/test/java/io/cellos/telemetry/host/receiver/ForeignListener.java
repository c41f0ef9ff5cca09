package io.cellos.telemetry.host.receiver;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;

/**
 * A UNIX-socket listener of some other program, bound at a path. Closing it leaves its socket file
 * behind, as a listener killed with SIGKILL does: a stale socket file.
 */
final class ForeignListener implements AutoCloseable {
    private final ServerSocketChannel channel;

    private ForeignListener(ServerSocketChannel channel) {
        this.channel = channel;
    }

    static ForeignListener at(Path path) throws IOException {
        ServerSocketChannel c = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        c.bind(UnixDomainSocketAddress.of(path));
        return new ForeignListener(c);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
