package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
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
import io.cellos.telemetry.wire.WaitStatus;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    void everyKindOfEventReachesItsLineByWhatItSays() throws Exception {
        CellSummary summary = new CellSummary();
        SummaryFeed guest = new SummaryFeed(summary);
        EventProjector p = guest.projector();
        Instant at = SummaryFeed.AT;
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
        guest.accept(ProbeEvent.of(ProbeSource.NET_RAW_SOCKET_OPENED, 5, "sh", 2_200_000)
                .withExtensions(Extensions.NONE.withSocket("inet raw 6").withExe("/usr/bin/dash")));
        String text = render(summary);
        assertTrue(text.contains("\nraw and packet sockets opened: 1\n  sh (pid 5) opened inet raw 6\n"), text);
        assertTrue(text.contains("\n  └─ sh (/usr/bin/dash), pid 5, exit 1, 2.0 ms\n"), text);
        assertTrue(text.contains("\nconnections attempted: 1\n  sh (pid 5) -> 10.0.0.1:80\n"), text);
        assertTrue(text.contains("\ndeclared files touched: 1\n  /etc/passwd by sh (pid 5)\n"), text);
        assertTrue(text.contains("\ndenied: 2\n  sh (pid 5) refused sethostname (170)\n  sh (pid 5) refused capability 21\n"),
                text);
        assertTrue(text.contains("(declared, and put back where it could be): 1\n  audit switched off\n"), text);
        assertTrue(text.contains("\nchannels refused: 1 (port 9000, connection 2: not init's)\n"), text);
        assertTrue(text.contains("\ndrops: 7 events dropped in the guest, 2 frames refused by the host; the agent went "
                + "silent (1 agent_silenced)\n"), text);
        assertTrue(text.endsWith("\nevents: 13\n"), text);

        CellReport report = summary.report(List.of("sh", "-c", "x"), Optional.of(WaitStatus.ofExit(1)), 0);
        RunFacts facts = new RunFacts("c", "r", "own PID namespace", "mechanism bpf", "/c/events.jsonl", at,
                at.plusMillis(1500));
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        SummaryJson.write(json, report, facts);
        JsonNode j = new ObjectMapper().readTree(json.toByteArray());
        assertEquals(SummaryJson.SCHEMA, j.get("schema").asText());
        assertEquals(1500.0, j.get("duration_ms").asDouble());
        assertEquals(1, j.at("/workload/exit_code").asInt(), j.toString());
        assertEquals(List.of("sh", "-c", "x"), List.of(j.at("/workload/argv/0").asText(), j.at("/workload/argv/1").asText(),
                j.at("/workload/argv/2").asText()));
        JsonNode child = j.at("/processes/children/0");
        assertEquals(5, child.get("pid").asLong());
        assertEquals("/usr/bin/dash", child.get("exe").asText());
        assertEquals(1, child.get("exit_code").asInt());
        assertEquals(2.0, child.get("duration_ms").asDouble());
        assertEquals("10.0.0.1:80", j.at("/connections/0/peer").asText());
        assertEquals("inet raw 6", j.at("/raw_sockets/0/socket").asText());
        assertEquals("/usr/bin/dash", j.at("/raw_sockets/0/exe").asText());
        assertEquals("/etc/passwd", j.at("/files/0/path").asText());
        assertEquals("sethostname", j.at("/denials/0/syscall_name").asText());
        assertEquals(21, j.at("/denials/1/capability").asInt());
        assertEquals("audit switched off", j.at("/tampering/0").asText());
        assertEquals(7, j.at("/drops/guest").asLong());
        assertEquals(2, j.at("/drops/host").asLong());
        assertEquals(13, j.get("events").asInt());

        ByteArrayOutputStream md = new ByteArrayOutputStream();
        SummaryMarkdown.write(new PrintStream(md, true, StandardCharsets.UTF_8), report, facts);
        String m = md.toString(StandardCharsets.UTF_8);
        assertTrue(m.contains("| status | exit 1 |"), m);
        assertTrue(m.contains("| └─ sh (/usr/bin/dash) | 5 | exit 1 | 2.0 ms |"), m);
        assertTrue(m.contains("#### Raw and packet sockets opened: 1\n\n| | times |\n|---|---:|\n| sh (pid 5) opened inet raw 6 | 1 |"), m);
        assertTrue(m.contains("#### Denied: 2"), m);
    }

    /** What the guest names cannot add structure to the Markdown: a table cell stays one cell, no HTML gets in. */
    @Test
    void markdownEscapesWhatTheGuestNamed() {
        assertEquals("a\\|b &lt;script&gt; \\`x\\` \\*y\\* z", SummaryMarkdown.text("a|b <script>\n`x` *y* z"));
        assertEquals("rm -rf \\| 'x'", SummaryMarkdown.code("rm -rf | `x`"));
    }

    @Test
    void theStepSummaryIsTakenFromTheEnvironmentAndTheFilesMustHaveADirectory() throws Exception {
        Args a = Args.parse("cell run", List.of("--summary-json", dir.resolve("s.json").toString(), "--", "true"),
                java.util.Set.of("summary-json", "summary-markdown"), java.util.Set.of());
        SummaryFiles f = SummaryFiles.parse(a, java.util.Map.of("GITHUB_STEP_SUMMARY", dir.resolve("step.md").toString()));
        assertEquals(new SummaryFiles(dir.resolve("s.json"), null, null, dir.resolve("step.md")), f);
        assertEquals(SummaryFiles.NONE.json(), SummaryFiles.parse(Args.parse("cell run", List.of("--", "true"),
                java.util.Set.of("summary-json"), java.util.Set.of()), java.util.Map.of("GITHUB_STEP_SUMMARY", "")).json());
        UsageException e = assertThrows(UsageException.class, () -> SummaryFiles.parse(Args.parse("cell run",
                List.of("--summary-markdown", dir.resolve("no/such/s.md").toString(), "--", "true"),
                java.util.Set.of("summary-markdown"), java.util.Set.of()), java.util.Map.of()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void aCellWithoutRefusalsSaysNone() {
        assertTrue(render(new CellSummary()).contains("\nchannels refused: none\n"));
    }

    private static String render(CellSummary summary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SummaryText.render(new PrintStream(out, true, StandardCharsets.UTF_8),
                summary.report(List.of("true"), Optional.empty(), 0));
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
