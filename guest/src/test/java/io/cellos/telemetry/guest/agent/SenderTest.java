package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sender's timing and accounting, at exact instants it is given (it reads no clock), over a
 * real UNIX socket whose host end the test reads: a local stream write is readable at once.
 */
class SenderTest {
    private static final long T0 = 1_000_000_000_000L;
    private static final long HEARTBEAT = 2_000_000_000L;
    private static final String SESSION = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private Epoll epoll;
    private final EventQueue queue = new EventQueue(64);
    private final Sender sender = new Sender(queue, HEARTBEAT, 7, "agent", SESSION, T0);
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private Link link;
    private SocketChannel host;
    private FrameStream in;

    @BeforeEach
    void connect() throws Exception {
        Path socket = dir.resolve("host.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        epoll = new Epoll(4);
        link = new Link(new Channel(TransportAddress.parse("unix:" + socket)), epoll, 1, new PrintStream(log), sender);
        link.connect(AgentRun.CONNECT_PATIENCE_NANOS);
        host = server.accept();
        in = new FrameStream(host);
    }

    @AfterEach
    void close() throws Exception {
        link.close();
        sender.close();
        epoll.close();
        host.close();
        server.close();
    }

    /** Pumps at {@code now} and returns what the host got. */
    private List<ProbeEvent> pumpAt(long now) throws Exception {
        sender.pump(now, link);
        return in.poll();
    }

    @Test
    void aConnectionOpensWithTheDropReportAndTheSessionAndHeartbeatsComeOnTheDot() throws Exception {
        List<ProbeEvent> first = pumpAt(T0);
        assertEquals(1, first.size(), first.toString());
        assertEquals(ProbeSource.TELEMETRY_DROPPED, first.getFirst().source());
        assertEquals(0L, first.getFirst().extensions().droppedTotal());
        assertEquals(SESSION, first.getFirst().extensions().session());

        assertEquals(T0 + HEARTBEAT, sender.nextDue());
        assertEquals(List.of(), pumpAt(T0 + HEARTBEAT - 1));
        List<ProbeEvent> beat = pumpAt(T0 + HEARTBEAT);
        assertEquals(1, beat.size(), beat.toString());
        assertEquals(ProbeSource.AGENT_HEARTBEAT, beat.getFirst().source());
        assertNull(beat.getFirst().extensions().session(), "only a connection's first frame carries the session");
        assertEquals(T0 + 2 * HEARTBEAT, sender.nextDue());
    }

    @Test
    void dropsAreReportedAtMostOncePerIntervalAndEveryChangeIsReported() throws Exception {
        pumpAt(T0); // the connection's report: 0
        queue.countDropped(3);
        assertEquals(T0 + Sender.DROP_REPORT_INTERVAL_NANOS, sender.nextDue());
        assertEquals(List.of(), pumpAt(T0 + Sender.DROP_REPORT_INTERVAL_NANOS - 1));
        long second = T0 + Sender.DROP_REPORT_INTERVAL_NANOS;
        assertEquals(List.of(3L), droppedTotals(pumpAt(second)));

        queue.countDropped(2);
        assertEquals(second + Sender.DROP_REPORT_INTERVAL_NANOS, sender.nextDue());
        assertEquals(List.of(), pumpAt(second + 1));
        assertEquals(List.of(5L), droppedTotals(pumpAt(second + Sender.DROP_REPORT_INTERVAL_NANOS)));
        assertEquals(second + Sender.DROP_REPORT_INTERVAL_NANOS + HEARTBEAT, sender.nextDue(),
                "nothing more to report: the next thing due is a heartbeat");
    }

    @Test
    void whatABrokenConnectionCutIsCountedEventByEvent() throws Exception {
        pumpAt(T0);
        long offered = 0;
        // the host reads nothing: fill the socket until frames wait in the sender
        for (int round = 0; round < 100_000 && !stalled(); round++) {
            while (!queue.full()) {
                queue.offer(event(++offered));
            }
            sender.pump(T0, link);
        }
        assertTrue(stalled(), "the socket filled up");
        assertEquals(0, queue.dropped(), "nothing dropped yet");
        host.close();
        sender.pump(T0 + 1, link);
        assertFalse(link.isOpen(), "the write failed: the link is down");
        assertEquals(offered, sender.delivered() + queue.size() + queue.dropped(),
                "each event is delivered, still queued, or counted dropped: exactly");
        assertTrue(queue.dropped() > 0, "frames were cut");
        assertTrue(log.toString().contains("down ("), log.toString());
    }

    private boolean stalled() {
        return sender.nextDue() == Long.MAX_VALUE; // frames wait for the socket
    }

    private static ProbeEvent event(long n) {
        return new ProbeEvent(Wire.VERSION_1_0, ProbeSource.PROCESS_SPAWNED, (int) n, "w", T0, Extensions.NONE);
    }

    private static List<Long> droppedTotals(List<ProbeEvent> frames) {
        return frames.stream().map(e -> {
            assertEquals(ProbeSource.TELEMETRY_DROPPED, e.source());
            return e.extensions().droppedTotal();
        }).toList();
    }
}
