package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.SessionCheck;
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
import java.time.Instant;
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
    void everyKindOfEventReachesItsLineByWhatItSays() {
        CellSummary summary = new CellSummary();
        summary.root(1);
        EventProjector p = new EventProjector(new CellStamp("c", "r", null), "/c_9001");
        Instant at = Instant.parse("2026-11-21T12:00:00Z");
        long[] frame = {0};
        java.util.function.Consumer<ProbeEvent> guest = e -> summary.accept(p.guest(e, 1, ++frame[0], at,
                SessionCheck.PINNED));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 5, "sh", 1_000_000)
                .withExtensions(Extensions.NONE.withParentPid(1)));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXEC, 5, "sh", 1_500_000)
                .withExtensions(Extensions.NONE.withPath("/usr/bin/dash")));
        guest.accept(ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 5, "sh", 1_600_000)
                .withExtensions(Extensions.NONE.withPeer("10.0.0.1:80")));
        guest.accept(ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, 5, "sh", 1_700_000)
                .withExtensions(Extensions.NONE.withPath("/etc/passwd")));
        guest.accept(ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 5, "sh", 1_800_000)
                .withExtensions(Extensions.NONE.withSyscall(170)));
        guest.accept(ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 5, "sh", 1_900_000)
                .withExtensions(Extensions.NONE.withCapability(21)));
        guest.accept(ProbeEvent.of(ProbeSource.AGENT_TAMPERED, 2, "cellos-agent", 2_000_000)
                .withExtensions(Extensions.NONE.withWhat("audit switched off")));
        guest.accept(ProbeEvent.of(ProbeSource.TELEMETRY_DROPPED, 2, "cellos-agent", 2_100_000)
                .withExtensions(Extensions.NONE.withDroppedTotal(7)));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 5, "sh", 3_000_000)
                .withExtensions(Extensions.NONE.withExitCode(1 << 8)));
        long[] drops = new long[DropCause.values().length];
        drops[DropCause.NOT_A_MAP.ordinal()] = 2;
        drops[DropCause.CHANNEL_REFUSED.ordinal()] = 1;
        summary.accept(p.hostDropped(1, at, drops, 5, "bad", SessionCheck.PINNED));
        summary.accept(p.channelRefused(1, at, 9000, 2, "not init's", SessionCheck.PINNED));
        summary.accept(p.silenced(at, 10_000, at, 11, SessionCheck.PINNED));
        String text = render(summary);
        assertTrue(text.contains("\n  └─ sh (/usr/bin/dash), pid 5, exit 1, 2.0 ms\n"), text);
        assertTrue(text.contains("\nconnections attempted: 1\n  sh (pid 5) -> 10.0.0.1:80\n"), text);
        assertTrue(text.contains("\ndeclared files touched: 1\n  /etc/passwd by sh (pid 5)\n"), text);
        assertTrue(text.contains("\ndenied: 2\n  sh (pid 5) refused sethostname (170)\n  sh (pid 5) refused capability 21\n"),
                text);
        assertTrue(text.contains("(declared, and put back where it could be): 1\n  audit switched off\n"), text);
        assertTrue(text.contains("\nchannels refused: 1 (port 9000, connection 2: not init's)\n"), text);
        assertTrue(text.contains("\ndrops: 7 events dropped in the guest, 2 frames refused by the host; the agent went "
                + "silent (1 agent_silenced)\n"), text);
        assertTrue(text.endsWith("\nevents: 12\n"), text);
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
