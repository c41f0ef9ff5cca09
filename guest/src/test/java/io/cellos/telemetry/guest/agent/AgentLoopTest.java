package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.guest.probe.dns.PeerHosts;
import io.cellos.telemetry.guest.probe.ebpf.WakeWindow;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's loop through a real pipe-driven probe and a real UNIX socket: nothing is lost
 * silently, drops are reported, heartbeats keep the channel alive.
 */
class AgentLoopTest {
    static final Duration PATIENCE = Duration.ofSeconds(30);
    static final int AGENT_PID = 4242;

    @TempDir
    Path dir;
    final PipeProbe probe = new PipeProbe();
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    volatile Agent agent;
    AgentThread running;
    Thread loop;

    Path socket() {
        return dir.resolve("host.vsock_9001");
    }

    ServerSocketChannel listen() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket()));
        return s;
    }

    /** Builds, connects and runs the agent on a thread of its own: its native memory is confined to it. */
    void startAgent(int queue, Duration heartbeat) throws Exception {
        startAgent(queue, heartbeat, probe, WakeWindow.NONE);
    }

    /** As {@link #startAgent(int, Duration)}, with {@code only} as its one probe, under {@code window}. */
    void startAgent(int queue, Duration heartbeat, Probe only, WakeWindow window) throws Exception {
        running = AgentThread.start(() -> {
            only.arm();
            window.open();
            return new Agent(new Channel(TransportAddress.parse("unix:" + socket())), List.of(only), window,
                    new EventQueue(queue), ProcessScope.everything(), OomGuard.NONE, heartbeat.toNanos(), AGENT_PID,
                    "test-agent",
                    new PrintStream(log, true));
        });
        agent = running.agent;
        loop = running.thread;
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.stop();
            loop.join();
            if (running.failure() != null) {
                throw new AssertionError("the agent's loop failed", running.failure());
            }
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + PATIENCE + " for " + what);
            }
            Thread.sleep(5); // polls a non-blocking socket and counters the loop thread moves: nothing to block on
        }
    }

    /** Adds what arrives on {@code in} to {@code got} until {@code done} holds of it. */
    static void receive(String what, FrameStream in, List<ProbeEvent> got, Predicate<List<ProbeEvent>> done)
            throws InterruptedException {
        await(what, () -> {
            try {
                got.addAll(in.poll());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return done.test(got);
        });
    }

    /** Tallies what a host received. */
    static final class Tally {
        final List<ProbeEvent> all = new ArrayList<>();
        long events;
        long lastPid;
        long lastDroppedTotal;
        boolean ordered = true;

        void add(List<ProbeEvent> frames) {
            for (ProbeEvent e : frames) {
                all.add(e);
                if (e.source() == ProbeSource.PROCESS_SPAWNED) {
                    events++;
                    ordered &= e.guestPid() > lastPid;
                    lastPid = e.guestPid();
                } else if (e.source() == ProbeSource.TELEMETRY_DROPPED) {
                    assertTrue(e.extensions().droppedTotal() >= lastDroppedTotal, "dropped_total never decreases");
                    lastDroppedTotal = e.extensions().droppedTotal();
                    assertEquals(AGENT_PID, e.guestPid());
                }
            }
        }
    }

    @Test
    void aStalledHostMakesTheAgentDropAndCountExactly() throws Exception {
        int generated = 20_000;
        try (ServerSocketChannel server = listen()) {
            startAgent(8, Duration.ofMinutes(1));
            try (SocketChannel conn = server.accept()) {
                probe.generate(generated); // the host reads nothing meanwhile
                await("the agent to take every event", () -> probe.consumed() == generated);
                FrameStream in = new FrameStream(conn);
                Tally t = new Tally();
                await("delivered + dropped_total to account for every event", () -> {
                    try {
                        t.add(in.poll());
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    return t.events + t.lastDroppedTotal == generated;
                });
                agent.stop(); // its last words (a final drop report if the count changed), then the end
                loop.join();
                await("the end of the stream", () -> {
                    try {
                        t.add(in.poll());
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    return in.ended();
                });
                assertEquals(generated, t.events + t.lastDroppedTotal, "exactly: " + t.events + " delivered, "
                        + t.lastDroppedTotal + " dropped");
                assertTrue(t.lastDroppedTotal > 0, "a tiny queue behind a stalled host must drop");
                assertTrue(t.ordered, "delivered events keep their order");
            }
        }
    }

    @Test
    void afterTheHostComesBackTheAgentReconnectsAndReportsWhatItDropped() throws Exception {
        Tally t = new Tally();
        ServerSocketChannel first = listen();
        startAgent(8, Duration.ofMinutes(1));
        try (SocketChannel conn = first.accept()) {
            FrameStream in = new FrameStream(conn);
            probe.generate(5);
            await("5 events", () -> {
                try {
                    t.add(in.poll());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return t.events == 5;
            });
        }
        String session = t.all.getFirst().extensions().session();
        assertTrue(session != null && session.matches("[0-9a-f]{32}"), "the first frame carries the session: " + session);
        assertTrue(t.all.stream().skip(1).allMatch(e -> e.extensions().session() == null), "and no other frame");
        first.close();
        Files.delete(socket()); // the receiver is gone
        probe.generate(100);
        await("the agent to take the events", () -> probe.consumed() == 105);
        try (ServerSocketChannel second = listen(); SocketChannel conn = second.accept()) {
            FrameStream in = new FrameStream(conn);
            List<ProbeEvent> firstFrames = new ArrayList<>();
            receive("frames on the new connection", in, firstFrames, got -> t.events
                    + got.stream().filter(e -> e.source() == ProbeSource.PROCESS_SPAWNED).count()
                    + got.stream().filter(e -> e.source() == ProbeSource.TELEMETRY_DROPPED)
                    .mapToLong(e -> e.extensions().droppedTotal()).max().orElse(0) == 105);
            assertEquals(ProbeSource.TELEMETRY_DROPPED, firstFrames.get(0).source(),
                    "the first frame of a new connection reports the drops: " + firstFrames.get(0));
            assertTrue(firstFrames.get(0).extensions().droppedTotal() >= 92, "100 events into a queue of 8");
            assertEquals(session, firstFrames.get(0).extensions().session(), "a reconnect proves itself with the same session");
            assertTrue(firstFrames.stream().skip(1).allMatch(e -> e.extensions().session() == null));
            t.add(firstFrames);
            assertEquals(105, t.events + t.lastDroppedTotal);
        }
        assertTrue(log.toString().contains("reconnected"), log.toString());
    }

    @Test
    void anIdleAgentSendsHeartbeatsAndADropReportOnConnect() throws Exception {
        try (ServerSocketChannel server = listen()) {
            startAgent(16, Duration.ofMillis(100));
            try (SocketChannel conn = server.accept()) {
                FrameStream in = new FrameStream(conn);
                List<ProbeEvent> got = new ArrayList<>();
                receive("3 heartbeats", in, got,
                        all -> all.stream().filter(e -> e.source() == ProbeSource.AGENT_HEARTBEAT).count() >= 3);
                ProbeEvent report = got.get(0);
                assertEquals(ProbeSource.TELEMETRY_DROPPED, report.source());
                assertEquals(0L, report.extensions().droppedTotal());
                ProbeEvent hb = got.get(1);
                assertEquals(ProbeSource.AGENT_HEARTBEAT, hb.source());
                assertEquals(AGENT_PID, hb.guestPid());
                assertEquals("test-agent", hb.guestComm());
            }
        }
    }

    /**
     * A probe that holds events where no fd signals them, as an eBPF ring holds the records its
     * programs submit without waking the reader: one of them handed over per read, its pipe's
     * events besides.
     */
    private static final class HoldingProbe extends OverPipe {
        final AtomicInteger held = new AtomicInteger();
        private final boolean saysItStopped;
        private int next = 7000;

        /** @param saysItStopped whether it says it stopped at its bound while it holds more ({@link Probe#stoppedAtBound}) */
        HoldingProbe(boolean saysItStopped) {
            this.saysItStopped = saysItStopped;
        }

        @Override
        public String description() {
            return "test events (held)";
        }

        @Override
        public void onReadable(ProbeOutput out) {
            pipe.onReadable(out);
            if (held.get() > 0) {
                held.decrementAndGet();
                out.emit(ProbeEvent.of(ProbeSource.PROCESS_EXITED, ++next, "held", System.nanoTime()));
            }
        }

        @Override
        public boolean recordsWaiting() {
            return held.get() > 0;
        }

        @Override
        public boolean stoppedAtBound() {
            return saysItStopped && held.get() > 0;
        }
    }

    /** Starts the agent over {@code p} under {@code window}, holds 3 events in it and signals one more: all 4 must come. */
    void heldEventsCome(HoldingProbe p, WakeWindow window) throws Exception {
        try (ServerSocketChannel server = listen()) {
            startAgent(64, Duration.ofMinutes(10), p, window); // no heartbeat wakes the loop meanwhile
            try (SocketChannel conn = server.accept()) {
                FrameStream in = new FrameStream(conn);
                p.held.set(3);
                p.pipe.generate(1); // the one wake-up
                List<ProbeEvent> got = new ArrayList<>();
                receive("the signalled event and the 3 held ones", in, got,
                        all -> all.stream().filter(e -> e.source() == ProbeSource.PROCESS_EXITED).count() == 3
                                && all.stream().anyMatch(e -> e.source() == ProbeSource.PROCESS_SPAWNED));
            }
        }
    }

    @Test
    void recordsHeldUnsignalledAreReadByThePromiseTheLoopMadeWhenItFoundThem() throws Exception {
        heldEventsCome(new HoldingProbe(false), WakeWindow.of(Duration.ofMillis(20)));
    }

    @Test
    void aProbeThatStoppedAtItsBoundIsReadAgainAtOnceWithoutAWindow() throws Exception {
        heldEventsCome(new HoldingProbe(true), WakeWindow.NONE);
    }

    @Test
    void aProbeIsReadWhenItsFdIsReadableAndTheLastProbeInEveryWake() throws Exception {
        PipeProbe first = new PipeProbe();
        try (ServerSocketChannel server = listen()) {
            running = AgentThread.start(() -> {
                first.arm();
                probe.arm();
                return new Agent(new Channel(TransportAddress.parse("unix:" + socket())), List.of(first, probe), WakeWindow.NONE,
                        new EventQueue(1024), ProcessScope.everything(), OomGuard.NONE, Duration.ofMinutes(1).toNanos(),
                        AGENT_PID, "test-agent", new PrintStream(log, true));
            });
            agent = running.agent;
            loop = running.thread;
            try (SocketChannel conn = server.accept()) {
                probe.generate(100);
                await("the last probe's events to be read", () -> probe.consumed() == 100);
                assertEquals(0, first.reads(), "a probe whose fd never became readable is not read");
                long lastReads = probe.reads();
                first.generate(50);
                await("the first probe's events to be read", () -> first.consumed() == 50);
                await("the last probe to be read in that wake too", () -> probe.reads() > lastReads);
                FrameStream in = new FrameStream(conn);
                List<ProbeEvent> got = new ArrayList<>();
                receive("all 150 events at the host", in, got,
                        all -> all.stream().filter(e -> e.source() == ProbeSource.PROCESS_SPAWNED).count() == 150);
            }
        }
    }

    /**
     * A probe that names others' events is read once more before a connect without a name is sent
     * — even when its fd never became readable — and not for other events: the connect then
     * carries the name it learnt.
     */
    @Test
    void theNamesAreReadOnceMoreBeforeAConnectIsSentAndOnlyThen() throws Exception {
        PeerHosts hosts = new PeerHosts();
        PipeProbe connects = new PipeProbe(pid -> ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, pid, "gen",
                System.nanoTime()).withExtensions(Extensions.NONE.withPeer("192.0.2.7:443")));
        NamingProbe names = new NamingProbe(hosts);
        try (ServerSocketChannel server = listen()) {
            running = AgentThread.start(() -> {
                names.arm();
                probe.arm();
                connects.arm();
                return new Agent(new Channel(TransportAddress.parse("unix:" + socket())), List.of(names, probe, connects), WakeWindow.NONE,
                        new EventQueue(1024, hosts), ProcessScope.everything(), OomGuard.NONE,
                        Duration.ofMinutes(1).toNanos(), AGENT_PID, "test-agent", new PrintStream(log, true));
            });
            agent = running.agent;
            loop = running.thread;
            try (SocketChannel conn = server.accept()) {
                FrameStream in = new FrameStream(conn);
                List<ProbeEvent> got = new ArrayList<>();
                probe.generate(100);
                receive("the 100 spawns", in, got,
                        all -> all.stream().filter(e -> e.source() == ProbeSource.PROCESS_SPAWNED).count() == 100);
                assertEquals(0, names.reads(), "no connect, no reason to read the names");
                connects.generate(1);
                receive("the connect", in, got,
                        all -> all.stream().anyMatch(e -> e.source() == ProbeSource.NET_CONNECT_ATTEMPTED));
                ProbeEvent connect = got.stream().filter(e -> e.source() == ProbeSource.NET_CONNECT_ATTEMPTED)
                        .findFirst().orElseThrow();
                assertEquals(1, names.reads(), "read once, before the connect left");
                assertEquals("www.example", connect.extensions().host(), connect.toString());
            }
        }
    }

    /** A test probe over a {@link PipeProbe}: armed, waited on and closed as the pipe is. */
    private abstract static class OverPipe implements Probe {
        final PipeProbe pipe = new PipeProbe();

        @Override
        public void arm() throws IOException {
            pipe.arm();
        }

        @Override
        public int fd() {
            return pipe.fd();
        }

        @Override
        public void close() {
            pipe.close();
        }
    }

    /** Names every peer {@code 192.0.2.7} each time it is read; its fd never becomes readable. */
    private static final class NamingProbe extends OverPipe {
        private static final byte[] ADDRESS = {(byte) 192, 0, 2, 7};
        private final PeerHosts hosts;

        NamingProbe(PeerHosts hosts) {
            this.hosts = hosts;
        }

        @Override
        public String description() {
            return "test names";
        }

        @Override
        public boolean namesOthersEvents() {
            return true;
        }

        @Override
        public void onReadable(ProbeOutput out) {
            pipe.onReadable(out);
            hosts.learn(ADDRESS, 0, 4, "www.example", 60, System.nanoTime());
        }

        long reads() {
            return pipe.reads();
        }
    }
}
