package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.agent.AgentLauncher;
import io.cellos.telemetry.guest.agent.FailureMode;
import io.cellos.telemetry.guest.agent.LaunchedAgent;
import io.cellos.telemetry.guest.agent.Observation;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.image.GuestImage;
import io.cellos.telemetry.guest.init.InitCommand;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fifo;
import io.cellos.telemetry.guest.linux.Processes;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventFormat;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.ExitChannel;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sink.EventSink;
import io.cellos.telemetry.host.sink.nats.NatsTarget;
import io.cellos.telemetry.wire.WaitStatus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A cell on this machine, no VM: the receiver's sockets are bound first; init becomes PID 1 of new
 * PID and mount namespaces with a fresh {@code /proc}, held before it runs anything; the agent
 * starts in the initial PID namespace (where the process connector and audit work), scoped to
 * init's process tree, and once it is ready init is let go: it gates and starts the workload.
 *
 * <p>The cell's directory holds {@code cell.vsock_9001} and {@code cell.vsock_9000} (named as
 * Firecracker names a vsock's UNIX sockets), the hold FIFO and, without {@code --out}, the event
 * log. One run per object; not thread-safe.
 *
 * @param workload the command and its arguments
 * @param watches  declared files for the agent
 * @param dir      the cell's directory (created if missing)
 * @param out      where events go (an {@code --out} value: a file or a {@code nats://} target), or
 *                 {@code null} for the event log {@code <dir>/events.jsonl}
 * @param format   what the events' data holds
 * @param keepalive the receiver's keep-alive window
 * @param failureMode what an agent that cannot become ready means
 * @param observation how the agent observes processes, execs and connects
 * @param stamp    the cell's attribution
 * @param isolation its PID namespace, and the capabilities the workload keeps
 * @param summaries where the summary goes beside the terminal
 * @param attest   the signed runtime trace to write at the end, or null
 * @param image    the guest image whose runtime and jar init and the agent run from, as in a VM, or
 *                 {@code null} for this JVM and its class path
 */
record LocalCell(List<String> workload, List<String> watches, Path dir, String out, EventFormat format,
                 Duration keepalive,
                 FailureMode failureMode, Observation observation, CellStamp stamp, CellIsolation isolation,
                 SummaryFiles summaries, CellAttestation attest, GuestImage image) {
    /** The base of the cell's socket paths in its directory: {@code cell.vsock_9001}, {@code cell.vsock_9000}. */
    static final String SOCKET_BASE = "cell.vsock";
    /** How long the agent is given to report init's end, to end by itself, and to end after SIGTERM. */
    private static final Duration AGENT_PATIENCE = Duration.ofSeconds(5);

    /** Checks what a person gets wrong before anything starts: root, namespaces' tools, watch paths. */
    static void check(List<String> watches) throws UsageException {
        if (Processes.geteuid() != 0) {
            throw new UsageException("a local cell needs root: it makes PID and mount namespaces, and the agent uses "
                    + "audit and the process connector (run it as root)");
        }
        for (String tool : List.of("unshare", "setsid")) {
            if (!onPath(tool)) {
                throw new UsageException(tool + " (util-linux) is not installed: apt-get install util-linux");
            }
        }
        for (String w : watches) {
            if (!Files.exists(Path.of(w))) {
                throw new UsageException("--watch " + w + ": no such file or directory");
            }
        }
    }

    /** Where the agent's diagnostics go once it runs detached; removed at the end if it stayed empty. */
    Path agentLog() {
        return dir.resolve("agent.log");
    }

    /** The {@code --out} value in force: {@link #out}, or the event log in the cell's directory. */
    String output() {
        return out != null ? out : dir.resolve("events.jsonl").toString();
    }

    /**
     * Runs the cell; the workload's output goes to this process's standard output and error, then
     * the summary to {@code io.out()}.
     *
     * @return the workload's status (128 + signal if a signal ended it), or init's status if the
     *         workload never ran
     */
    int run(Io io, EventSigner signer) throws IOException, InterruptedException, UsageException {
        Instant started = Instant.now();
        Files.createDirectories(dir);
        Sinks.Opened opened = Sinks.open(output(), signer, format, io); // first: a sink refused leaves no FIFO behind
        Path hold = dir.resolve("hold");
        makeHold(hold, opened.sink());
        CellSummary summary = new CellSummary();
        Ended ended;
        try {
            ended = runCell(opened.sink(), summary, hold, io);
        } finally {
            Files.deleteIfExists(hold);
        }
        printSummary(io, opened, summary, ended, started);
        return ended.reported().map(WaitStatus::shellStatus).orElse(ended.initStatus());
    }

    /**
     * How the cell ended: the status init reported for the workload, if it did, init's own, and
     * what the agent said of itself when it became ready (its mechanism and probes), or why not.
     */
    private record Ended(Optional<WaitStatus> reported, int initStatus, String agent) {
    }

    /** Makes the hold FIFO anew (a killed cell may have left one); closes {@code sink} if it cannot. */
    private static void makeHold(Path hold, EventSink sink) throws IOException {
        Files.deleteIfExists(hold);
        try {
            Fifo.create(hold.toString());
        } catch (ErrnoException e) {
            sink.close();
            throw new IOException("cannot make the hold FIFO: " + e.getMessage(), e);
        }
    }

    /**
     * The cell's run, its receiver's sockets bound: init started and held, the agent launched,
     * init released (or told to stop), init's end and report awaited, the agent stopped. Closes
     * {@code sink}.
     */
    private Ended runCell(EventSink sink, CellSummary summary, Path hold, Io io)
            throws IOException, InterruptedException {
        Path base = dir.resolve(SOCKET_BASE);
        try (sink;
             Receiver receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(keepalive).withFormat(format),
                     new SummarySink(sink, summary), io.err());
             CellHandle cell = receiver.bind(base, stamp);
             ExitChannel exits = cell.bindExitChannel();
             FileChannel release = FileChannel.open(hold, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Process init = startInit(base, hold);
            long initPid = isolation.pidNamespace() == CellIsolation.PidNamespace.NEW ? initPid(init) : init.pid();
            summary.root(initPid);
            LaunchedAgent agent = image == null ? AgentLauncher.start(Main.class.getName(), agentArgs(base, initPid), io.err())
                    : AgentLauncher.start(image, agentArgs(base, initPid), io.err());
            boolean go = agent.workloadMayStart(failureMode);
            if (!agent.ready()) {
                io.err().println("cellos cell: the agent could not become ready (above)"
                        + (go ? "; under degrade the workload runs unobserved" : "; the workload will not start"));
            }
            release.write(ByteBuffer.wrap(new byte[] {(byte) (go ? 'g' : 'x')}));
            forwardSignals(initPid);
            int initStatus = init.waitFor();
            Optional<WaitStatus> reported = exits.await(Duration.ofSeconds(2));
            if (agent.ready()) {
                if (!summary.awaitRootExit(AGENT_PATIENCE.toMillis())) {
                    io.err().println("cellos cell: the agent did not report init's end within "
                            + AGENT_PATIENCE.toSeconds() + " s; the log may be incomplete");
                }
                stopAgent(agent, io);
            }
            return new Ended(reported, initStatus, agent.readiness());
        }
    }

    /** The summary, after the workload's own output: what the cell saw, and where its events and the agent's log are. */
    private void printSummary(Io io, Sinks.Opened opened, CellSummary summary, Ended ended, Instant started)
            throws IOException {
        io.out().flush();
        io.out().println();
        io.out().println("== cell " + stamp.cellId() + " run " + stamp.runId() + " ==");
        io.out().println("isolation: " + isolation.describe());
        if (image != null) {
            io.out().println("guest image: " + image.dir() + " (init and the agent ran from its runtime and jar, "
                    + (image.training() ? "the agent recording the AOT cache"
                    : Files.isRegularFile(image.aotCache()) ? "with its AOT cache" : "without an AOT cache")
                    + ")");
        }
        io.out().println("agent: " + ended.agent());
        CellReport report = summary.report(workload, ended.reported(), ended.initStatus());
        SummaryText.render(io.out(), report);
        summaries.write(report, new RunFacts(stamp.cellId(), stamp.runId(), isolation.describe(), ended.agent(),
                opened.where(), started, Instant.now()), io.err());
        if (attest != null) {
            attest.write(Path.of(output()), stamp, io.out(), io.err());
        }
        io.out().println((NatsTarget.names(output()) ? "published to " + opened.where() + " (read them with: cellos events tail --from "
                + NatsTarget.parse(output()) + " --cell " + stamp.cellId() + ")" : "event log: " + opened.where())
                + (opened.sink().lost() > 0 ? "; " + opened.sink().lost() + " events could not be delivered there" : ""));
        List<String> log = Files.exists(agentLog()) ? Files.readAllLines(agentLog()) : List.of();
        if (!log.isEmpty() && log.getLast().startsWith(AgentLauncher.STOPPED)) {
            io.out().println("agent stopped: " + log.getLast().substring(AgentLauncher.STOPPED.length()));
            log = log.subList(0, log.size() - 1);
        }
        if (!log.isEmpty()) {
            io.out().println("agent log: " + agentLog() + " (" + log.size() + " lines before its last)");
        } else {
            Files.deleteIfExists(agentLog()); // nothing in it but the counts shown above
        }
    }

    /**
     * Init, in a new session: under PID and mount namespaces of its own, or (shared) as this
     * process's child in its PID namespace, protecting this process — the cell's host side, which
     * in a microVM is out of the guest's reach — as it protects the agent.
     */
    private Process startInit(Path base, Path hold) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setsid"));
        if (isolation.pidNamespace() == CellIsolation.PidNamespace.NEW) {
            cmd.addAll(List.of("unshare", "--pid", "--mount", "--fork", "--mount-proc", "--kill-child", "--"));
        }
        cmd.addAll(BlockingLauncher.COMMAND);
        if (image == null) {
            cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
            cmd.addAll(InitCommand.JVM_OPTIONS);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "init"));
        } else {
            cmd.add(image.java().toString());
            cmd.addAll(image.jvmOptions(GuestImage.Role.INIT, InitCommand.JVM_OPTIONS));
            cmd.addAll(List.of("-cp", image.jar().toString(), GuestImage.MAIN_CLASS, "init"));
        }
        cmd.addAll(List.of("--agent-external", "--hold", hold.toString(), "--exit-to", "unix:" + base + "_9000"));
        if (isolation.pidNamespace() == CellIsolation.PidNamespace.SHARED) {
            cmd.addAll(List.of("--protect", Long.toString(ProcessHandle.current().pid())));
        }
        cmd.addAll(isolation.initArgs());
        cmd.add("--");
        cmd.addAll(workload);
        return new ProcessBuilder(cmd).inheritIO().start();
    }

    /**
     * {@link InitCommand#BLOCKING_LAUNCHER} if this machine's {@code env} can block signals (tried
     * once, when a cell first starts), which spares init its re-execution; else nothing, and init
     * executes itself again.
     */
    private static final class BlockingLauncher {
        static final List<String> COMMAND = tried();

        private static List<String> tried() {
            List<String> tryIt = new ArrayList<>(InitCommand.BLOCKING_LAUNCHER);
            tryIt.add("true");
            try {
                Process p = new ProcessBuilder(tryIt).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                return p.waitFor() == 0 ? InitCommand.BLOCKING_LAUNCHER : List.of();
            } catch (IOException e) {
                return List.of();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }

    /** Init's pid as the host sees it: unshare's one child. */
    private static long initPid(Process unshare) throws IOException, InterruptedException {
        Path children = Path.of("/proc", Long.toString(unshare.pid()), "task", Long.toString(unshare.pid()), "children");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && unshare.isAlive()) {
            String text = Files.exists(children) ? Files.readString(children).trim() : "";
            if (!text.isEmpty()) {
                return Long.parseLong(text.split(" ")[0]);
            }
            Thread.sleep(5); // nothing tells this process that its child forked: /proc is asked again, briefly
        }
        throw new IOException("unshare did not start init (did it fail above?)");
    }

    private List<String> agentArgs(Path base, long initPid) {
        List<String> args = new ArrayList<>(List.of("--transport", "unix:" + base + "_9001", "--scope-root",
                Long.toString(initPid), "--guard", Long.toString(initPid), "--on-agent-failure", failureMode.flag(),
                "--log", agentLog().toString()));
        args.addAll(observation.agentArgs());
        for (String w : watches) {
            args.addAll(List.of("--watch", w));
        }
        return args;
    }

    /** SIGINT and SIGTERM to this command go to init, which forwards them to the workload. */
    private static void forwardSignals(long initPid) {
        for (String name : List.of("INT", "TERM")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> Processes.kill((int) initPid, s.getNumber()));
        }
    }

    /**
     * The agent ends by itself once init, its scope root, has ended (handing over what it holds and
     * removing its audit rules); it is sent SIGTERM, to the same effect, if it has not within 5 s.
     */
    private static void stopAgent(LaunchedAgent agent, Io io) throws InterruptedException {
        if (!agent.stop(AGENT_PATIENCE, AGENT_PATIENCE)) {
            io.err().println("cellos cell: the agent (pid " + agent.pid() + ") did not stop within "
                    + AGENT_PATIENCE.toSeconds() + " s of SIGTERM");
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
