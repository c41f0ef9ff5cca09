package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.FrameScanner;
import io.cellos.telemetry.wire.ProbeEvent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** The host end of an agent's connection in a test: reads and decodes frames, refusing any bad one. */
final class FrameStream {
    private final SocketChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    private boolean ended;

    FrameStream(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
    }

    /** Reads what is there now and returns the whole frames in it. */
    List<ProbeEvent> poll() throws IOException {
        int n = channel.read(buf);
        if (n < 0) {
            ended = true;
        }
        List<ProbeEvent> got = new ArrayList<>();
        int used = FrameScanner.scan(buf.array(), 0, buf.position(), new FrameScanner.Handler() {
            @Override
            public void onFrame(ProbeEvent event, int offset) {
                got.add(event);
            }

            @Override
            public void onRejected(FrameException e, int offset) {
                throw new AssertionError("the agent sent a bad frame: " + e.getMessage());
            }
        });
        buf.flip().position(used);
        buf.compact();
        return got;
    }

    boolean ended() {
        return ended;
    }
}
