package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.attest.Dsse;
import io.cellos.telemetry.host.attest.RuntimeTrace;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.ExitChannel;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sign.Ed25519Keys;
import io.cellos.telemetry.host.sign.EventVerifier;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.host.sign.SigningEnvironment;
import io.cellos.telemetry.host.sink.CapturingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Local cells, end to end, as root: real PID and mount namespaces, init as their PID 1, the agent
 * outside, the seccomp gate, the receiver and the exit-code channel over real UNIX sockets.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.cellos.telemetry.cli.CellMode#all")
class LocalCellTest {
    /** Both worlds (the cell's own PID namespace, and the agent's, as in a microVM), with each mechanism. */
    @Parameter
    CellMode mode;

    /** The attack script of the guest module's gate tests, run here inside a real cell. */
    private static final Path ATTACK = Path.of("../guest/src/test/resources/attack.py").toAbsolutePath().normalize();
    private static final Map<String, Integer> SYSCALLS = Map.ofEntries(Map.entry("kill", 62), Map.entry("tkill", 200),
            Map.entry("tgkill", 234), Map.entry("rt_sigqueueinfo", 129), Map.entry("rt_tgsigqueueinfo", 297),
            Map.entry("ptrace_attach", 101), Map.entry("pidfd_open", 434), Map.entry("pidfd_send_signal", 424),
            Map.entry("process_vm_readv", 310), Map.entry("process_vm_writev", 311), Map.entry("io_uring_setup", 425),
            Map.entry("vsock_socket", 41), Map.entry("pidfd_getfd", 438), Map.entry("open_by_handle_at", 304));

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int CAP_SYS_RESOURCE = 24;

    @TempDir
    Path tmp;

    @Test
    void theAttackSuiteIsRefusedInsideACellAndEveryRefusalIsDeclared() throws Exception {
        CellProcess c = CellProcess.cell(mode, tmp, "/usr/bin/python3", ATTACK.toString(), "parent", "9");
        assertEquals(0, c.status(), c.toString());
        Map<String, String> results = c.out().lines().filter(l -> l.matches("[a-z_]+ \\S+"))
                .collect(Collectors.toMap(l -> l.split(" ")[0], l -> l.split(" ")[1], (a, b) -> a));
        for (String v : List.of("kill", "kill_group", "kill_all", "tkill", "tgkill", "rt_sigqueueinfo",
                "rt_tgsigqueueinfo", "ptrace_attach", "ptrace_seize", "pidfd_open", "pidfd_send_signal",
                "process_vm_readv", "process_vm_writev", "io_uring_setup", "vsock_socket", "pidfd_getfd",
                "open_by_handle_at")) {
            assertEquals("Operation_not_permitted:1", results.get(v), v + " against init: " + c);
        }
        assertEquals("OK", results.get("own_child"), c.toString());
        assertEquals("No_such_file_or_directory:2", results.get("target_listed"),
                "the workload's /proc does not list init (its threads are tried by GatedSpawnTest): " + c);
        assertFalse(c.err().contains("no longer running"), "the agent was alive to the end: " + c.err());
        Set<Integer> declared = new HashSet<>();
        for (JsonNode e : c.ofType("capability.denied")) {
            String comm = e.path("data").path("guest_comm").asText();
            if (mode.bpf() && comm.equals("java") && e.path("data").path("capability").asInt() == CAP_SYS_RESOURCE) {
                continue; // init's own oom_score_adj of -1000, refused where the machine withholds CAP_SYS_RESOURCE: eBPF sees it
            }
            declared.add(e.path("data").path("syscall").asInt());
            assertEquals("python3", comm, e.toString());
        }
        for (Map.Entry<String, Integer> s : SYSCALLS.entrySet()) {
            assertTrue(declared.contains(s.getValue()), s.getKey() + " refused but not declared; declared " + declared
                    + "; the cell said: " + c.err());
        }
    }

    @Test
    void ordinaryWorkloadsAreUnaffected() throws Exception {
        CellProcess pipeline = CellProcess.cell(mode, tmp.resolve("pipeline"), "/bin/sh", "-c",
                "printf 'c\\na\\nb\\n' | sort | tr -d '\\n'; echo");
        assertEquals(0, pipeline.status(), pipeline.toString());
        assertTrue(pipeline.out().startsWith("abc\n"), pipeline.toString());

        CellProcess python = CellProcess.cell(mode, tmp.resolve("python"), "/usr/bin/python3", "-c", """
                import os, signal, sys
                kids = []
                for _ in range(5):
                    pid = os.fork()
                    if pid == 0:
                        signal.pause()
                        os._exit(0)
                    kids.append(pid)
                for k in kids:
                    os.kill(k, signal.SIGTERM)
                ok = all(os.WTERMSIG(os.waitpid(k, 0)[1]) == signal.SIGTERM for k in kids)
                got = []
                signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
                os.killpg(0, signal.SIGUSR1)
                print("children killed:", ok, "own group signalled:", got == [signal.SIGUSR1])
                """);
        assertEquals(0, python.status(), python.toString());
        assertTrue(python.out().contains("children killed: True own group signalled: True"), python.toString());
    }

    /** The workload keeps {@code CAP_NET_RAW}: the sockets are made, and declared with the program that made them. */
    @Test
    void rawAndPacketSocketsTheWorkloadOpensAreDeclaredWithItsProgram() throws Exception {
        CellProcess c = CellProcess.cell(mode, tmp.resolve("raw"), "/usr/bin/python3", "-c", """
                import socket
                socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
                socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP).close()
                socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800)).close()
                print("opened")
                """);
        assertEquals(0, c.status(), c.toString());
        assertEquals("opened\n", c.out().substring(0, "opened\n".length()), c.toString());
        List<JsonNode> opened = c.ofType("net.raw_socket_opened");
        assertEquals(List.of("inet raw 6", "packet dgram 0x0800"),
                opened.stream().map(e -> e.path("data").path("socket").asText()).toList(), c.toString());
        for (JsonNode e : opened) {
            assertTrue(e.path("data").path("exe").asText().startsWith("/usr/bin/python3"), e.toString());
            assertTrue(c.out().contains("python3 (pid " + e.path("data").path("guest_pid").asText() + ") opened "
                    + e.path("data").path("socket").asText()), c.toString());
        }
    }

    @Test
    void theSummaryIsAlsoWrittenAsJsonAndMarkdownAndTheRunAsASignedTraceFromTheSameEvents() throws Exception {
        Path json = tmp.resolve("summary.json");
        Path markdown = tmp.resolve("summary.md");
        Path trace = tmp.resolve("trace.dsse.json");
        Path outputs = Files.createDirectories(tmp.resolve("outputs"));
        Path dir = tmp.resolve("cell");
        Ed25519Keys.KeyPairText keys = Ed25519Keys.generate(new SecureRandom());
        Map<String, String> env = Map.of(SigningEnvironment.ALG, "ed25519", SigningEnvironment.KID, "host-test",
                SigningEnvironment.ED25519_KEY, keys.privateKey());
        CellProcess c = CellProcess.run(mode, dir, env, p -> { }, "cell", "run", "--dir", dir.toString(), "--watch",
                outputs.toString(), "--summary-json", json.toString(), "--summary-markdown", markdown.toString(),
                "--attest", trace.toString(), "--invocation", "https://ci.example/runs/7", "--", "/bin/sh", "-c",
                "echo built > " + outputs.resolve("app.bin") + "; getent passwd root > /dev/null; "
                        + "bash -c 'echo > /dev/tcp/127.0.0.1/9' 2> /dev/null; exit 3");
        assertEquals(3, c.status(), c.toString());
        assertEquals(List.of(), SummarySchema.errors(Files.readString(json)), "docs/cell-summary.schema.json");
        JsonNode s = new ObjectMapper().readTree(json.toFile());
        assertEquals(SummaryJson.SCHEMA, s.get("schema").asText());
        assertEquals(3, s.at("/workload/exit_code").asInt(), s.toString());
        JsonNode workload = s.at("/processes/children/0");
        assertEquals("sh", workload.get("comm").asText(), s.toString());
        assertEquals(3, workload.get("exit_code").asInt(), s.toString());
        assertEquals(c.ofType("process.exec").stream().filter(e -> e.at("/data/guest_pid").asLong()
                == workload.get("pid").asLong()).findFirst().orElseThrow().at("/data/path").asText(),
                workload.get("exe").asText());
        assertEquals(c.events().size(), s.get("events").asInt(), "every event of the log, counted");
        assertEquals(0, s.at("/drops/guest").asLong());
        // the page events report draws from the log shows what the run's own summary shows
        Path page = tmp.resolve("from-log.html");
        Run report = Run.of("", "events", "report", dir.resolve("events.jsonl").toString(), "--out", page.toString());
        assertEquals(0, report.status(), report.toString());
        JsonNode fromLog = EventsReportTest.data(page);
        for (String member : List.of("cell_id", "run_id", "processes", "connections", "raw_sockets", "files", "denials",
                "tampering", "channels_refused", "drops", "events")) {
            assertEquals(s.get(member), fromLog.get(member), member);
        }
        assertEquals(3, fromLog.at("/workload/init_status").asInt(), fromLog.toString());
        String md = Files.readString(markdown);
        assertTrue(md.contains("| status | exit 3 |"), md);
        assertTrue(md.contains("| └─ sh (" + workload.get("exe").asText() + ") | " + workload.get("pid").asLong()
                + " | exit 3 |"), md);

        assertTrue(c.out().contains("attestation: " + trace + " (in-toto runtime trace, signed; "), c.toString());
        Dsse.Opened opened = Dsse.open(Files.readString(trace), EventVerifier.create(SignAlgorithm.ED25519, keys.publicKey()));
        JsonNode st = new ObjectMapper().readTree(opened.payload());
        assertEquals(outputs.resolve("app.bin").toString(), st.at("/subject/0/name").asText(), st.toString());
        assertEquals(Attestations.sha256(outputs.resolve("app.bin")), st.at("/subject/0/digest/sha256").asText());
        assertEquals("https://ci.example/runs/7", st.at("/predicate/monitoredProcess/event").asText());
        boolean found = false;
        for (JsonNode p : st.at("/predicate/monitorLog/process")) {
            if (p.get("pid").asLong() == workload.get("pid").asLong()) {
                assertEquals(3, p.get("exitStatus").asInt(), p.toString());
                found = true;
            }
        }
        assertTrue(found, "the workload is in the trace: " + st);
        List<String> protocols = new java.util.ArrayList<>();
        for (JsonNode n : st.at("/predicate/monitorLog/network")) {
            protocols.add(n.get("cellosPeer").asText() + " " + n.get("protocol").asText());
        }
        // getent asks nscd over a UNIX socket first: eBPF sees that connect, audit no UNIX connects; the TCP
        // connect (refused, attempted all the same) both see, and eBPF says it was TCP. (Init's own connect to
        // the exit channel comes first thing, before the agent may be ready: it is there or not.)
        assertEquals(mode.bpf(), protocols.contains("unix:/var/run/nscd/socket " + RuntimeTrace.UNIX), protocols.toString());
        assertTrue(protocols.contains("127.0.0.1:9 " + (mode.bpf() ? "tcp" : RuntimeTrace.UNKNOWN)), protocols.toString());
        assertTrue(protocols.stream().allMatch(p -> p.endsWith(p.startsWith("unix:") ? " unix"
                : mode.bpf() ? " tcp" : " unknown")), protocols.toString());

        // every process the agent saw exec and every declared file touched is named in the trace
        Set<Long> traced = new HashSet<>();
        st.at("/predicate/monitorLog/process").forEach(p -> traced.add(p.get("pid").asLong()));
        for (JsonNode exec : c.ofType("process.exec")) {
            assertTrue(traced.contains(exec.at("/data/guest_pid").asLong()), "exec of " + exec + " not in " + traced);
        }
        assertEquals(outputs.resolve("app.bin").toString(), st.at("/predicate/monitorLog/fileAccess/0/name").asText());
        // and the envelope no longer verifies once any one byte of its payload is changed
        ObjectMapper mapper = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode envelope =
                (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(Files.readString(trace));
        byte[] payload = java.util.Base64.getDecoder().decode(envelope.get("payload").asText());
        EventVerifier byHost = EventVerifier.create(SignAlgorithm.ED25519, keys.publicKey());
        for (int i = 0; i < payload.length; i++) {
            byte[] changed = payload.clone();
            changed[i] ^= 0x20;
            envelope.put("payload", java.util.Base64.getEncoder().encodeToString(changed));
            String forged = envelope.toString();
            int at = i;
            assertThrows(Dsse.EnvelopeException.class, () -> Dsse.open(forged, byHost), "byte " + at + " changed");
        }

        // the cell's signed event log is one unbroken chain, closed by the receiver as the cell ended
        Run verified = Run.of("", "events", "verify", dir.resolve("events.jsonl").toString(), "--alg", "ed25519",
                "--public-key", keys.publicKey(), "--kid", "host-test", "--require-closed");
        assertEquals(0, verified.status(), verified.out() + verified.err());
        assertTrue(verified.out().contains("verified " + c.events().size() + " events in " + dir.resolve("events.jsonl")
                + "; 1 cell chain whole from the first event"), verified.out());
        assertTrue(verified.out().contains("/closed, closed by the receiver"), verified.out());
    }

    @Test
    void exitStatusesRoundTripAndOrphansAreReaped() throws Exception {
        assertEquals(0, CellProcess.cell(mode, tmp.resolve("zero"), "/bin/true").status());
        CellProcess fortyTwo = CellProcess.cell(mode, tmp.resolve("42"), "/bin/sh", "-c", "exit 42");
        assertEquals(42, fortyTwo.status(), fortyTwo.toString());
        assertTrue(fortyTwo.out().contains("-> exit 42"), fortyTwo.toString());
        CellProcess killed = CellProcess.cell(mode, tmp.resolve("signal"), "/bin/sh", "-c", "kill -9 $$");
        assertEquals(137, killed.status(), killed.toString());
        assertTrue(killed.out().contains("-> signal 9"), killed.toString());

        CellProcess orphans = CellProcess.cell(mode, tmp.resolve("orphans"), "/bin/sh", "-c",
                "for i in 1 2 3 4 5; do sh -c 'sleep 0.2 &'; done; sleep 1.5; "
                        + "echo zombies=$(grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l)");
        assertEquals(0, orphans.status(), orphans.toString());
        assertTrue(orphans.out().contains("zombies=0"), orphans.toString());
    }

    @Test
    void aWorkloadThatIsNotThereExits127() throws Exception {
        CellProcess c = CellProcess.cell(mode, tmp, "/no/such/program");
        assertEquals(127, c.status(), c.toString());
        assertTrue(c.err().contains("/no/such/program: command not found"), c.toString());
        assertTrue(c.out().contains("workload: /no/such/program -> exit 127 (not found: it never started)"), c.toString());
        assertTrue(Pattern.compile("  └─ program, pid \\d+, never started: not found \\(its exec failed; the child init "
                + "forked for it ended with exit 127\\)").matcher(c.out()).find(), c.toString());
    }

    /** The tree names the workload's process by what it tried to run and says it never started, as init reported. */
    @Test
    void aWorkloadThatIsNotExecutableExits126AndNeverStarted() throws Exception {
        Path script = Files.writeString(tmp.resolve("not-executable.sh"), "#!/bin/sh\necho ran\n");
        CellProcess c = CellProcess.cell(mode, tmp.resolve("cell"), script.toString());
        assertEquals(126, c.status(), c.toString());
        assertTrue(c.out().contains("workload: " + script + " -> exit 126 (not executable: it never started)"),
                c.toString());
        assertTrue(Pattern.compile("  └─ not-executable.\\S*, pid \\d+, never started: not executable").matcher(c.out())
                .find(), c.toString());
        assertFalse(c.out().contains("cellos-gated"), c.toString());
    }

    @Test
    void theAgentKilledFromOutsideIsDeclaredSilencedExactlyOnce() throws Exception {
        Path dir = tmp.resolve("silenced");
        CellProcess c = CellProcess.run(mode, dir, p -> killAgentOnceHeard(dir), "cell", "run", "--dir", dir.toString(),
                "--keepalive", "1s", "--", "/bin/sleep", "4");
        assertEquals(0, c.status(), c.toString());
        assertEquals(1, c.ofType("agent_silenced").size(), c.toString());
        assertTrue(c.out().contains("the agent went silent (1 agent_silenced)"), c.toString());
        // an agent killed by SIGKILL leaves its audit rules; the next agent removes a dead agent's rules
        assertEquals(0, CellProcess.cell(mode, tmp.resolve("after"), "/bin/true").status());
    }

    /**
     * A cell's directory serves one cell at a time: a second run on it is refused while the first is
     * alive; once the first is killed with SIGKILL (its sockets and hold FIFO left behind), the next
     * run takes the directory over.
     */
    @Test
    void aLiveCellsDirectoryIsRefusedAndAKilledOnesIsTakenOver() throws Exception {
        Path dir = tmp.resolve("shared");
        Path first = tmp.resolve("first");
        CellProcess killed = CellProcess.run(mode, first, p -> {
            awaitLine(first.resolve("stdout.txt"), "started");
            try {
                CellProcess second = CellProcess.run(mode, tmp.resolve("second"), q -> { }, "cell", "run", "--dir",
                        dir.toString(), "--", "/bin/true");
                assertEquals(2, second.status(), second.toString());
                assertTrue(second.err().contains("--dir " + dir + " is in use by a running cell"), second.toString());
                // what this test started goes with it: the agent and init do not outlive a SIGKILLed cell run by themselves
                List<ProcessHandle> started = p.descendants().toList();
                p.destroyForcibly();
                p.waitFor();
                started.forEach(ProcessHandle::destroyForcibly);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "cell", "run", "--dir", dir.toString(), "--", "/bin/sh", "-c", "echo started; exec sleep 60");
        assertEquals(137, killed.status(), killed.toString());
        assertTrue(Files.exists(dir.resolve("cell.vsock_9001")) && Files.exists(dir.resolve("hold")),
                "a SIGKILLed cell leaves its sockets and FIFO");
        CellProcess next = CellProcess.run(mode, tmp.resolve("next"), p -> { }, "cell", "run", "--dir", dir.toString(), "--",
                "/bin/sh", "-c", "exit 3");
        assertEquals(3, next.status(), next.toString());
        assertTrue(next.out().contains("-> exit 3"), next.toString());
    }

    @Test
    void aRelativeWatchIsReportedByItsAbsolutePath() throws Exception {
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        Path relative = Path.of("").toAbsolutePath().relativize(watched.resolve("./x/.."));
        Path dir = tmp.resolve("cell");
        CellProcess c = CellProcess.run(mode, dir, p -> { }, "cell", "run", "--dir", dir.toString(), "--watch",
                relative.toString(), "--", "/bin/sh", "-c", "echo hi > " + watched.resolve("f"));
        assertEquals(0, c.status(), c.toString());
        List<JsonNode> touched = c.ofType("fs.inotify_fired");
        assertFalse(touched.isEmpty(), c.toString());
        for (JsonNode e : touched) {
            assertEquals(watched.resolve("f").toString(), e.path("data").path("path").asText(), c.toString());
        }
        assertTrue(c.out().contains("  " + watched.resolve("f") + " by sh (pid "), c.toString());
    }

    @Test
    void anExistingOutFileIsAppendedToAndTheSummarySaysWhereThisRunStarts() throws Exception {
        Path out = Files.writeString(tmp.resolve("events.jsonl"), "{\"earlier\":1}\n{\"earlier\":2}\n");
        Path dir = tmp.resolve("cell");
        CellProcess c = CellProcess.run(mode, dir, p -> { }, "cell", "run", "--dir", dir.toString(), "--out", out.toString(),
                "--", "/bin/true");
        assertEquals(0, c.status(), c.toString());
        assertTrue(c.out().contains("event log: " + out + " (appended to: it already held 2 lines; this run's events "
                + "start at line 3)"), c.toString());
        List<String> lines = Files.readAllLines(out);
        assertEquals("{\"earlier\":2}", lines.get(1));
        Matcher events = Pattern.compile("events: (\\d+)").matcher(c.out());
        assertTrue(events.find(), c.toString());
        assertEquals(lines.size() - 2, Integer.parseInt(events.group(1)), "the summary counts this run's lines");
        assertTrue(lines.get(2).contains("\"type\":\"cell.observability."), lines.get(2));
    }

    @Test
    void aDirectoryTheCellMadeIsRemovedUnlessItHoldsTheEventLog() throws Exception {
        Path kept = tmp.resolve("kept");
        assertEquals(0, CellProcess.run(mode, kept, p -> { }, "cell", "run", "--", "/bin/true").status());
        try (var made = Files.list(CellProcess.tmpdir(kept))) {
            List<Path> dirs = made.toList();
            assertEquals(1, dirs.size(), dirs.toString());
            try (var left = Files.list(dirs.get(0))) {
                assertEquals(List.of(dirs.get(0).resolve("events.jsonl")), left.toList(), "only the event log stays");
            }
        }
        Path removed = tmp.resolve("removed");
        assertEquals(0, CellProcess.run(mode, removed, p -> { }, "cell", "run", "--out", removed.resolve("ev.jsonl").toString(),
                "--", "/bin/true").status());
        try (var made = Files.list(CellProcess.tmpdir(removed))) {
            assertEquals(List.of(), made.toList(), "with the events elsewhere, the cell's own directory is removed");
        }
    }

    @Test
    void theDemoShowsEachPartOfItsWorkload() throws Exception {
        Path dir = tmp.resolve("demo");
        CellProcess c = CellProcess.run(mode, dir, p -> { }, "demo", "--dir", dir.toString());
        assertEquals(0, c.status(), c.toString());
        // the executable: under audit the file the kernel ran, links resolved; under eBPF the name execve was given
        String trueRan = mode.bpf() ? "true (/bin/true) ×20 {exit 0=20}" : "true (/usr/bin/true) ×20 {exit 0=20}";
        // connections: under eBPF UNIX-domain ones too (setpriv asks nscd for the user first); init's own
        // report on the exit channel is opened first thing, before the agent may be ready: it is there or not
        String connections = mode.bpf() ? "-> unix:/var/run/nscd/socket" : "connections attempted: 1";
        for (String part : List.of(trueRan, connections, "-> 127.0.0.1:",
                "/watched/build.log by sh", "refused kill (62) (×2)", "refused sethostname (170)",
                "demo: agent processes visible inside the cell: 0", "drops: 0 events dropped in the guest",
                "agent stopped: delivered ",
                "event log: " + dir.resolve("events.jsonl"))) {
            assertTrue(c.out().contains(part), "the summary lacks '" + part + "':\n" + c);
        }
        Matcher writer = Pattern.compile("/watched/build.log by sh \\(pid (\\d+)\\)").matcher(c.out());
        assertTrue(writer.find(), c.toString());
        assertTrue(Pattern.compile("└─ sh \\(/[^)]+\\), pid " + writer.group(1) + ",").matcher(c.out()).find(),
                "a process has one name in the tree and the lists (its comm): " + c);
        try (var left = Files.list(dir)) {
            assertEquals(Set.of("events.jsonl", "stdout.txt", "stderr.txt", "tmp"),
                    left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "sockets, FIFO, the script and the watched directory are gone; the event log stays");
        }
    }

    @Test
    void sigtermToTheCellReachesTheWorkloadThroughInit() throws Exception {
        Path dir = tmp.resolve("sigterm");
        CellProcess c = CellProcess.run(mode, dir, p -> {
            awaitLine(dir.resolve("stdout.txt"), "started");
            p.destroy(); // SIGTERM to cellos cell run, which hands it to init, which forwards it to the workload
        }, "cell", "run", "--dir", dir.toString(), "--", "/bin/sh", "-c",
                "trap 'echo got-term; exit 7' TERM; echo started; sleep 30 & wait");
        assertEquals(7, c.status(), c.toString());
        assertTrue(c.out().contains("got-term"), c.toString());
    }

    @Test
    void initStopsTheCellBeforeTheWorkloadWhenItsAgentCannotBeReadyUnderFailCell() throws Exception {
        Path ran = tmp.resolve("ran");
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults(), new CapturingSink(), System.err);
             ExitChannel exits = receiver.bind(tmp.resolve("vm.vsock"), new CellStamp("vm", "r", null))
                     .bindExitChannel()) {
            CellProcess c = CellProcess.run(mode, tmp.resolve("fail-cell"), p -> { }, "init", "--agent-transport",
                    "unix:" + tmp.resolve("nobody-listens_9001"), "--exit-to", "unix:" + exits.socketPath(), "--",
                    "/usr/bin/touch", ran.toString());
            assertEquals(125, c.status(), c.toString());
            assertTrue(c.err().contains("under fail-cell the workload does not start"), c.toString());
            assertFalse(Files.exists(ran), "the workload ran");
            assertEquals(125, exits.await(java.time.Duration.ofSeconds(5)).orElseThrow().shellStatus());
        }
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults(), new CapturingSink(), System.err);
             ExitChannel exits = receiver.bind(tmp.resolve("vm2.vsock"), new CellStamp("vm2", "r", null))
                     .bindExitChannel()) {
            CellProcess c = CellProcess.run(mode, tmp.resolve("degrade"), p -> { }, "init", "--on-agent-failure", "degrade",
                    "--agent-transport", "unix:" + tmp.resolve("nobody-listens_9001"), "--exit-to",
                    "unix:" + exits.socketPath(), "--", "/usr/bin/touch", ran.toString());
            assertEquals(0, c.status(), c.toString());
            assertTrue(c.err().contains("under degrade the workload starts unobserved"), c.toString());
            assertTrue(Files.exists(ran), "the workload did not run under degrade");
            assertEquals(0, exits.await(java.time.Duration.ofSeconds(5)).orElseThrow().raw());
        }
    }

    /**
     * Init as a microVM runs it, minus the VM: init launches the agent itself (to a real receiver
     * over a UNIX socket), and the gate protects the agent's pid. Outside any namespace, so signal 0.
     */
    @Test
    void initLaunchesTheAgentAndTheGateProtectsIt() throws Exception {
        CapturingSink sink = new CapturingSink();
        Path base = tmp.resolve("vm.vsock");
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults(), sink, System.err);
             CellHandle cell = receiver.bind(base, new CellStamp("vm", "run-1", null));
             ExitChannel exits = cell.bindExitChannel()) {
            // the workload's /proc does not list the agent: the test tells it the pid and threads, an
            // attacker's best case, once the agent is up
            Path target = tmp.resolve("target");
            CellProcess c = CellProcess.run(mode, tmp.resolve("init"), p -> tellTheAgent(tmp.resolve("init"), target), "init",
                    "--agent-transport", "unix:" + cell.socketPath(), "--exit-to", "unix:" + exits.socketPath(), "--",
                    "/bin/sh", "-c", "while [ ! -s " + target + " ]; do sleep 0.05; done; set -- $(cat " + target + "); "
                            + "ls -d /proc/$1 >/dev/null 2>&1 && echo agent-listed; echo agent=$1; "
                            + "exec /usr/bin/python3 " + ATTACK + " $1 0 $2");
            assertEquals(0, c.status(), c.toString());
            Matcher m = Pattern.compile("ready: pid (\\d+)").matcher(c.err());
            assertTrue(m.find(), c.toString());
            assertTrue(c.out().contains("agent=" + m.group(1)), "the workload was told the agent init launched: " + c);
            assertFalse(c.out().contains("agent-listed"), "the workload's /proc does not list the agent: " + c);
            for (String v : List.of("kill", "kill_group", "tkill", "tgkill", "ptrace_attach", "pidfd_open",
                    "process_vm_writev")) {
                assertTrue(c.out().contains(v + " Operation_not_permitted:1"), v + " against the agent: " + c);
            }
            assertTrue(c.out().contains("own_child OK"), c.toString());
            assertEquals(0, exits.await(java.time.Duration.ofSeconds(5)).orElseThrow().raw());
            sink.await(e -> e.path("type").asText().endsWith("capability.denied")
                    && e.path("data").path("syscall").asInt() == 101, 1, java.time.Duration.ofSeconds(10));
            assertTrue(ProcessHandle.of(Long.parseLong(m.group(1))).map(h -> !h.isAlive()).orElse(true),
                    "init stops the agent it launched when the workload ends");
        }
    }

    /**
     * Once init says its agent is ready (on its standard error, in {@code dir}), writes the agent's
     * pid and thread ids, {@code PID TID,TID,...}, to {@code target}.
     */
    private static void tellTheAgent(Path dir, Path target) {
        try {
            long pid = readyAgent(dir);
            Path tasks = Path.of("/proc", Long.toString(pid), "task");
            try (var list = Files.list(tasks)) {
                String tids = String.join(",", list.map(t -> t.getFileName().toString()).toList());
                Files.writeString(target, pid + " " + tids + "\n");
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitLine(Path file, String line) {
        try {
            Await.line(file, line, PATIENCE);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Waits for the agent's readiness line on the cell's standard error and for the receiver to
     * have written an event the agent sent (the agent is heard), then kills the agent with SIGKILL.
     */
    private static void killAgentOnceHeard(Path dir) {
        try {
            long pid = readyAgent(dir);
            Await.fileText(dir.resolve("events.jsonl"), t -> t.contains("\"type\":\"cell.observability.guest."), PATIENCE,
                    "an event from the agent");
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The pid of the agent once its launcher has said it is ready, on the standard error of the run in {@code dir}. */
    private static long readyAgent(Path dir) throws Exception {
        Pattern ready = Pattern.compile("cellos-telemetry: ready: pid (\\d+)");
        Matcher m = ready.matcher(Await.fileText(dir.resolve("stderr.txt"), t -> ready.matcher(t).find(), PATIENCE,
                "the agent's readiness"));
        if (!m.find()) {
            throw new AssertionError("no readiness line");
        }
        return Long.parseLong(m.group(1));
    }
}
