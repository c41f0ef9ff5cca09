package io.cellos.telemetry.host.metrics;

import io.cellos.telemetry.host.TestClock;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.CellStats;
import io.cellos.telemetry.host.receiver.ExitChannel;
import io.cellos.telemetry.host.receiver.GuestClient;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.CapturingSink;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * A real receiver with two cells that are sent, over their real UNIX sockets, a known mix of
 * accepted and refused input, on a {@link TestClock} so that exactly one of them is silenced; the
 * metrics tests check the scraped values against the numbers here.
 *
 * <p>What {@link #play} sends to cell {@code c1}:
 * <ul>
 * <li>telemetry connection 1, the agent's: 3 {@code process.spawned}, 1 {@code agent.tampered},
 *     {@code telemetry.dropped} with {@code dropped_total} 7 then 5 (the highest counts), then a
 *     zero-length frame (refused {@code zero_length}; the host closes the connection);</li>
 * <li>connection 2, no session: 1 {@code process.spawned}, refused ({@code channel_refused}, 9001);</li>
 * <li>connection 3, the agent's: 1 {@code process.spawned}, then 3 bytes short of a second frame and
 *     the end ({@code closed_mid_frame});</li>
 * <li>exit-code connection 1, init's, with a status; connection 2 refused ({@code channel_refused}, 9000).</li>
 * </ul>
 * Then the clock moves 6 s, {@code c2} is bound and sent nothing, the clock moves 6 s more: {@code c1}
 * has been silent 12 s, beyond its 10 s keep-alive, {@code c2} 6 s.
 */
final class MetricsScenario implements AutoCloseable {
    static final Duration PATIENCE = Duration.ofSeconds(20);
    static final Duration KEEPALIVE = Duration.ofSeconds(10);
    static final long SPAWNED = 4;
    static final long TAMPERED = 1;
    static final long AGENT_DROPPED_REPORTS = 2;
    static final long AGENT_DROPPED_TOTAL = 7;
    static final long FRAMES_ACCEPTED = SPAWNED + TAMPERED + AGENT_DROPPED_REPORTS;

    final TestClock clock = new TestClock();
    final CapturingSink sink = new CapturingSink();
    final Receiver receiver;
    final CellHandle c1;
    CellHandle c2;
    private final Path dir;

    MetricsScenario(Path dir) throws IOException {
        this.dir = dir;
        receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(KEEPALIVE), sink, System.err, clock);
        c1 = receiver.bind(dir.resolve("c1.vsock"), new CellStamp("c1", "run-1", null));
    }

    void play() throws Exception {
        ProbeEvent spawned = ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 42, "sh", 1_000L);
        try (ExitChannel exits = c1.bindExitChannel()) {
            // init's status is taken before the intruder connects: which connection the host reads
            // first is otherwise a race the intruder can win, and init then writes to a closed one
            try (SocketChannel init = unix(exits.socketPath())) {
                init.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 3 << 8));
            }
            if (exits.await(PATIENCE).isEmpty()) {
                throw new IllegalStateException("init's status was not taken");
            }
            try (SocketChannel intruder = unix(exits.socketPath())) {
                intruder.write(ByteBuffer.allocate(4).putInt(0, 7));
            } catch (IOException refusedFirst) {
                // the host may close it before the status is written (EPIPE): refused all the same
            }
            try (GuestClient agent = new GuestClient(c1.socketPath())) {
                agent.send(spawned).send(spawned).send(spawned)
                        .send(ProbeEvent.of(ProbeSource.AGENT_TAMPERED, 2, "agent", 2_000L))
                        .send(ProbeEvent.of(ProbeSource.TELEMETRY_DROPPED, 2, "agent", 3_000L)
                                .withExtensions(Extensions.NONE.withDroppedTotal(AGENT_DROPPED_TOTAL)))
                        .send(ProbeEvent.of(ProbeSource.TELEMETRY_DROPPED, 2, "agent", 4_000L)
                                .withExtensions(Extensions.NONE.withDroppedTotal(5)))
                        .raw(new byte[4]);
                if (!agent.awaitClosedByHost(PATIENCE)) {
                    throw new IllegalStateException("the host kept a connection that sent a zero-length frame");
                }
            }
            try (GuestClient stranger = new GuestClient(c1.socketPath(), null)) {
                try {
                    stranger.send(spawned);
                } catch (IOException refusedFirst) {
                    // the host may refuse it before the frame is written (EPIPE): refused all the same,
                    // which the counts awaited below say
                }
                stranger.awaitClosedByHost(PATIENCE);
            }
            try (GuestClient agent = new GuestClient(c1.socketPath())) {
                byte[] f = GuestClient.encode(spawned);
                agent.send(spawned).raw(Arrays.copyOf(f, f.length - 3));
            }
            c1.awaitStats(s -> s.framesEmitted() == FRAMES_ACCEPTED && s.connections() == 3 && s.openConnections() == 0
                    && s.dropped().equals(Map.of(DropCause.ZERO_LENGTH, 1L, DropCause.CLOSED_MID_FRAME, 1L,
                    DropCause.CHANNEL_REFUSED, 2L)), PATIENCE);
        }
        clock.advance(Duration.ofSeconds(6));
        c2 = receiver.bind(dir.resolve("c2.vsock"), new CellStamp("c2", "run-1", null));
        clock.advance(Duration.ofSeconds(6));
        CellStats s1 = c1.stats();
        CellStats s2 = c2.stats();
        if (!s1.silenced() || s2.silenced()) {
            throw new IllegalStateException("expected c1 silenced and c2 not: " + s1 + " " + s2);
        }
    }

    private static SocketChannel unix(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    @Override
    public void close() {
        receiver.close();
    }
}
