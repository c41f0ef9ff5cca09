package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.ExitChannel;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The summary's account of a cell's channels, from the events a real receiver makes over real sockets. */
class CellSummaryTest {
    static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void refusedChannelsHaveALineOfTheirOwnAndAreNotCountedAsFrames() throws Exception {
        CellSummary summary = new CellSummary();
        CapturingSink events = new CapturingSink();
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults().withDropReportInterval(Duration.ZERO),
                new SummarySink(events, summary), System.err);
             CellHandle cell = receiver.bind(dir.resolve("cell.vsock"), new CellStamp("c", "r", null));
             ExitChannel exits = cell.bindExitChannel();
             SocketChannel init = connect(exits.socketPath())) {
            send(cell.socketPath(), ProbeEvent.of(ProbeSource.AGENT_HEARTBEAT, 2, "cellos-agent", 1)
                    .withExtensions(Extensions.NONE.withSession("0123456789abcdef0123456789abcdef")));
            events.await(CapturingSink.type("agent.heartbeat"), 1, PATIENCE);
            send(cell.socketPath(), ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 4_242_424, "rt-forged", 2));
            events.await(CapturingSink.type("channel_refused"), 1, PATIENCE);
            connect(exits.socketPath()).close();
            events.await(CapturingSink.type("channel_refused"), 2, PATIENCE);
            events.await(e -> e.at("/data/host_dropped/channel_refused").asLong() == 2, 1, PATIENCE);
            init.write(ByteBuffer.wrap(new byte[4])); // exit 0
        }
        String text = render(summary);
        assertTrue(text.contains("\nchannels refused: 2 (port 9001, connection 2: no session on its first frame "
                + "(connection 1 pinned the agent's); port 9000, connection 2: not init's (init's is the boot's first "
                + "connection to this port))\n"), text);
        assertTrue(text.contains("drops: 0 events dropped in the guest, 0 frames refused by the host"), text);
        assertFalse(text.contains("rt-forged"), text);
    }

    @Test
    void aCellWithoutRefusalsSaysNone() {
        assertTrue(render(new CellSummary()).contains("\nchannels refused: none\n"));
    }

    private static String render(CellSummary summary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        summary.render(new PrintStream(out, true, StandardCharsets.UTF_8), List.of("true"), Optional.empty(), 0);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static SocketChannel connect(Path socket) throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    /** One connection carrying one frame. */
    private static void send(Path socket, ProbeEvent e) throws Exception {
        byte[] frame = new byte[Wire.MAX_FRAME_BYTES];
        int n = new FrameEncoder().encode(e, frame, 0);
        try (SocketChannel c = connect(socket)) {
            c.write(ByteBuffer.wrap(frame, 0, n));
        }
    }
}
