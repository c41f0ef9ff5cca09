package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.agent.AgentLauncher;
import io.cellos.telemetry.guest.agent.LaunchedAgent;
import io.cellos.telemetry.guest.agent.StartingAgent;
import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Fifo;
import io.cellos.telemetry.guest.linux.OomScore;
import io.cellos.telemetry.guest.linux.Processes;
import io.cellos.telemetry.guest.linux.Signals;

import io.cellos.telemetry.wire.ExitCode;
import io.cellos.telemetry.wire.WaitStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The init role, once its signals are taken synchronously ({@link InitCommand} sees to that):
 * hold, agent, gate, workload, reaping, report.
 *
 * <p>Runs on one thread. SIGTERM, SIGINT and SIGCHLD are blocked in every thread of the process
 * and read from a {@code signalfd}: the first two are forwarded to the workload, the third reaps.
 *
 * <p>With a hold FIFO (a local cell), the FIFO stays open after the release and is the cell's
 * lifeline: the host side keeps its writing end open for the whole run, so when no writer is left
 * the host side is gone without stopping the cell (killed, as a CI time-out does). Init then kills
 * the workload's process group and ends, and, as PID 1 of the cell's namespace, takes every
 * process left in it along.
 */
final class InitRun {
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** How long the teardown waits for what is left of the workload to end, and then for the agent. */
    private static final Duration TEARDOWN_PATIENCE = Duration.ofSeconds(3);
    private static final long TOKEN_SIGNALS = 0;
    private static final long TOKEN_LIFELINE = 1;

    private final InitOptions options;
    private final List<String> workload;
    private final boolean microVm;
    private final String mainClass;
    private final PrintStream err;
    /** Opened first thing, sent on and closed once the status is known. */
    private ExitReport exitChannel;
    /** The agent init launched, until the cell awaits its readiness; {@code null} before and after. */
    private StartingAgent starting;

    InitRun(InitOptions options, List<String> workload, boolean microVm, String mainClass, PrintStream err) {
        this.options = options;
        this.workload = workload;
        this.microVm = microVm;
        this.mainClass = mainClass;
        this.err = err;
    }

    /**
     * Runs the cell; returns init's exit status (in a microVM, only if powering off failed). Without
     * a hold, the agent init launches starts first of all, before init's own first native call, so
     * that the two JVMs' starts overlap; init waits for its readiness only before the workload.
     */
    int run() {
        if (launchesAgent() && options.hold() == null) {
            starting = beginAgent();
        }
        protectItself();
        exitChannel = openExitChannel();
        // beside the agent rather than a PID namespace's PID 1: take the workload's orphans, so that
        // they end with the cell as they would with a microVM
        boolean subreaper = ProcessHandle.current().pid() != 1;
        if (subreaper) {
            becomeSubreaper();
        }
        Processes.prepareSpawn(); // while the agent starts, rather than between its readiness and the workload
        int status;
        try (Fd signals = Signals.signalFd(InitCommand.TAKEN);
             Fd lifeline = options.hold() == null ? null : Fifo.openForReading(options.hold());
             Arena arena = Arena.ofConfined()) {
            status = runCell(signals, lifeline, Signals.buffer(arena), subreaper);
        } catch (ErrnoException e) {
            status = fail(WaitStatus.ofExit(ExitCode.CELL_FAILED), e.getMessage()); // reported, if not yet
        }
        if (starting != null) { // init failed before the cell awaited the agent: it goes too
            stopAgent(starting.awaitReady(err));
        }
        if (microVm) {
            err.println("cellos init: " + Processes.powerOff().getMessage());
        }
        return status;
    }

    /** Out of reach of a dump and of the OOM killer; said, and carried on, if it cannot be. */
    private void protectItself() {
        try {
            Processes.makeNonDumpable();
            OomScore.trySet("self", OomScore.NEVER); // the agent guards it, and says when it could not
        } catch (IOException e) {
            err.println("cellos init: cannot protect itself (non-dumpable, out of the OOM killer's reach): "
                    + e.getMessage());
        }
    }

    /** Takes the workload's orphans; said, and carried on, if it cannot. */
    private void becomeSubreaper() {
        try {
            Processes.becomeChildSubreaper();
        } catch (ErrnoException e) {
            err.println("cellos init: cannot become a child subreaper; orphans of the workload may outlive it: "
                    + e.getMessage());
        }
    }

    /**
     * The cell's run once init's descriptors are open: the release, the agent, the gated workload,
     * its supervision and report, the teardown. Returns init's exit status.
     */
    private int runCell(Fd signals, Fd lifeline, MemorySegment buffer, boolean subreaper) throws ErrnoException {
        if (lifeline != null && Fifo.readByte(lifeline) != 'g') {
            return fail(WaitStatus.ofExit(ExitCode.CELL_FAILED), "the cell was stopped before the workload started");
        }
        if (starting == null && launchesAgent()) {
            starting = beginAgent();
        }
        LaunchedAgent agent = starting == null ? null : starting.awaitReady(err);
        starting = null; // awaited: the cell's to stop from here
        if (agent != null && !agent.ready()) {
            if (!agent.workloadMayStart(options.failureMode())) {
                return fail(WaitStatus.ofExit(ExitCode.CELL_FAILED),
                        "the agent could not become ready (above); under fail-cell the workload does not start");
            }
            err.println("cellos init: the agent is not running (above); under degrade the workload starts unobserved");
            agent = null;
        }
        long agentPid = agent == null ? -1 : agent.pid();
        int pid;
        try {
            pid = GatedSpawn.spawn(workload, environment(), protectedPids(agentPid),
                    new WorkloadIsolation(options.keep()));
        } catch (SpawnException e) {
            return fail(WaitStatus.ofExit(e.exitCode()), e.getMessage());
        } catch (GateInstallException e) {
            return fail(WaitStatus.ofExit(ExitCode.CELL_FAILED), "cannot install the seccomp gate: " + e.getMessage());
        }
        Processes.Exit exit = superviseUntilExit(pid, signals, lifeline, buffer);
        report(exit.status());
        if (subreaper) {
            endDescendants(agentPid, signals, buffer);
        }
        stopAgent(agent);
        return exit.status().shellStatus();
    }

    private boolean launchesAgent() {
        return !options.agentExternal();
    }

    private StartingAgent beginAgent() {
        return AgentLauncher.begin(mainClass, options.agentArgs(), err);
    }

    /** The pids the gate protects besides init: those given with {@code --protect}, and the agent's. */
    private List<Integer> protectedPids(long agentPid) {
        List<Integer> protect = new ArrayList<>(options.protect());
        if (agentPid > 0) {
            protect.add((int) agentPid);
        }
        return protect;
    }

    /**
     * Forwards SIGTERM and SIGINT to the workload and reaps every child until the workload has
     * ended; orphans are reaped on the way, so no zombie stays, and only the workload's own
     * status is kept. A lost {@code lifeline} ends the workload's process group with SIGKILL.
     */
    private Processes.Exit superviseUntilExit(int workloadPid, Fd signals, Fd lifeline, MemorySegment buffer)
            throws ErrnoException {
        try (Epoll epoll = new Epoll(2)) {
            epoll.add(signals.get(), Epoll.EPOLLIN, TOKEN_SIGNALS);
            if (lifeline != null) {
                epoll.add(lifeline.get(), Epoll.EPOLLIN, TOKEN_LIFELINE);
            }
            while (true) {
                int n = epoll.await(-1);
                for (int i = 0; i < n; i++) {
                    if (epoll.token(i) == TOKEN_LIFELINE && Fifo.readByte(lifeline) < 0) {
                        err.println("cellos init: the host side of the cell is gone (its lifeline FIFO has no writer):"
                                + " killing the workload");
                        epoll.remove(lifeline.get());
                        Processes.kill(-workloadPid, Signals.SIGKILL); // its process group: it leads a session
                        Processes.kill(workloadPid, Signals.SIGKILL);
                    } else if (epoll.token(i) == TOKEN_SIGNALS) {
                        Processes.Exit exit = onSignal(workloadPid, Signals.take(signals, buffer));
                        if (exit != null) {
                            return exit;
                        }
                    }
                }
            }
        }
    }

    /** Forwards SIGTERM and SIGINT; reaps on SIGCHLD, returning the workload's exit if it came. */
    private static Processes.Exit onSignal(int workloadPid, int sig) throws ErrnoException {
        if (sig != Signals.SIGCHLD) {
            Processes.kill(workloadPid, sig);
            return null;
        }
        Processes.Exit exit;
        while ((exit = reapAny()) != null) {
            if (exit.pid() == workloadPid) {
                return exit;
            }
        }
        return null;
    }

    /**
     * At the end, the agent init launched: SIGTERM (it flushes and removes its audit rules), then
     * wait until it is gone, so that nothing of it outlives the cell.
     */
    private void stopAgent(LaunchedAgent agent) {
        try {
            if (agent != null && !agent.stop(Duration.ZERO, TEARDOWN_PATIENCE)) {
                err.println("cellos init: the agent did not stop within " + TEARDOWN_PATIENCE.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * As a subreaper (not a PID namespace's PID 1, whose end takes every process of its namespace
     * along): kills what is left of the workload — init's children but the agent; their own
     * children become init's as they die, and go the same way — and reaps it, waiting for each
     * SIGCHLD on {@code signals}, for at most {@link #TEARDOWN_PATIENCE}.
     */
    private void endDescendants(long agentPid, Fd signals, MemorySegment buffer) {
        long deadline = System.nanoTime() + TEARDOWN_PATIENCE.toNanos();
        try (Epoll epoll = new Epoll(1)) {
            epoll.add(signals.get(), Epoll.EPOLLIN, TOKEN_SIGNALS);
            while (System.nanoTime() < deadline) {
                List<Integer> left = Processes.children("self");
                left.remove(Integer.valueOf((int) agentPid));
                if (left.isEmpty()) {
                    return;
                }
                for (int child : left) {
                    Processes.kill(child, Signals.SIGKILL);
                }
                while (reapAny() != null) {
                    // reaped one more
                }
                if (epoll.await((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000)) > 0) {
                    Signals.take(signals, buffer); // a SIGCHLD (or a signal with no workload left to forward to)
                }
            }
            err.println("cellos init: processes of the workload were still there " + TEARDOWN_PATIENCE.toSeconds()
                    + " s after it ended");
        } catch (ErrnoException e) {
            err.println("cellos init: cannot reap what is left of the workload: " + e.getMessage());
        } catch (IOException e) {
            err.println("cellos init: cannot list what is left of the workload: " + e.getMessage());
        }
    }

    /**
     * A child that ended, reaped; {@code null} when none has, or init has no child left
     * ({@code ECHILD}: the agent, if it is still there, is the JVM's to reap).
     *
     * @throws ErrnoException for any other errno ({@code EINTR} is retried)
     */
    private static Processes.Exit reapAny() throws ErrnoException {
        try {
            return Processes.waitFor(-1, Processes.WNOHANG);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ECHILD) {
                return null;
            }
            throw e;
        }
    }

    private int fail(WaitStatus status, String message) {
        err.println("cellos init: " + message);
        report(status);
        return status.shellStatus();
    }

    /**
     * The exit-code channel, connected before the workload runs (only the agent, which speaks on a
     * port of its own, starts before): the host believes a report only on the boot's first
     * connection. {@code null}, said, if the host cannot be reached: the cell runs, and its status
     * does not reach the host.
     */
    private ExitReport openExitChannel() {
        try {
            return ExitReport.open(options.exitTo());
        } catch (ErrnoException e) {
            err.println("cellos init: cannot open the exit-code channel, so the workload's status will not reach the "
                    + "host: " + e.getMessage());
            return null;
        }
    }

    /** Sends the status to the host on the channel opened at the start; a failure is said and changes nothing else. */
    private void report(WaitStatus status) {
        if (exitChannel == null) {
            return;
        }
        try {
            exitChannel.send(status);
        } catch (ErrnoException e) {
            err.println("cellos init: cannot report the workload's status to the host: " + e.getMessage());
        } finally {
            exitChannel = null;
        }
    }

    /** Init's environment for the workload, with a PATH when the kernel gave none. */
    private static List<String> environment() {
        List<String> env = Processes.environment();
        if (System.getenv("PATH") == null) {
            env.add("PATH=" + DEFAULT_PATH);
        }
        return env;
    }
}
