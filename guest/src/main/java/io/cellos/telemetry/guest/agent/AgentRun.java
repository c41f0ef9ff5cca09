package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.probe.dns.PeerHosts;
import io.cellos.telemetry.guest.probe.ebpf.CallerRanges;
import io.cellos.telemetry.wire.ExitCode;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The agent process itself: protect, connect, arm, announce readiness, run.
 *
 * <p>Readiness is one line on the readiness stream — {@code READY <summary>} or
 * {@code NOT-READY <reason>} — after which that stream is closed; the launcher waits for it. Its
 * last line in the log, once stopped, is {@code cellos-telemetry: stopped: } and
 * {@link Agent#summary}.
 */
final class AgentRun {
    /** How long the channel may take to connect before the agent gives up becoming ready. */
    static final long CONNECT_PATIENCE_NANOS = 5_000_000_000L;
    /** How long a SIGTERM waits for the probes to close. */
    private static final long SHUTDOWN_PATIENCE_SECONDS = 5;

    private AgentRun() {
    }

    /**
     * @param detach    leave the launcher's session first (launched mode)
     * @param readiness where the readiness line goes; closed after it
     * @param log       where the agent speaks once running
     * @return the exit status: {@link ExitCode#NOT_READY}, or {@link ExitCode#AGENT_FAILED} on an unrecoverable
     *         failure after readiness
     */
    static int run(AgentOptions o, boolean detach, PrintStream readiness, PrintStream log) {
        Started started;
        try {
            started = start(o, detach, log);
        } catch (NotReadyException | IOException | RuntimeException e) {
            readiness.println("NOT-READY " + e.getMessage());
            readiness.close();
            return ExitCode.NOT_READY;
        }
        Agent agent = started.agent();
        // SIGTERM (init stopping a local cell, a test) runs the JVM's shutdown hooks: stop the loop
        // and let the probes take back what they set in the kernel (audit rules) before the exit.
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.stop();
            try {
                closed.await(SHUTDOWN_PATIENCE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cellos-agent-shutdown"));
        readiness.println("READY " + started.summary());
        readiness.close();
        try (agent) {
            agent.run();
            // one line, the agent's last: what it sent and how it hashed what was executed
            log.println(AgentLauncher.STOPPED + agent.summary());
            return ExitCode.OK;
        } catch (IOException | RuntimeException e) {
            log.println("cellos-telemetry: stopping on an unrecoverable failure: " + e.getMessage());
            return ExitCode.AGENT_FAILED;
        } finally {
            closed.countDown();
        }
    }

    /** An agent ready to run, and the readiness line's summary of it. */
    private record Started(Agent agent, String summary) {
    }

    /** Protects the process, arms the probes and connects: everything before readiness. */
    private static Started start(AgentOptions o, boolean detach, PrintStream log)
            throws NotReadyException, IOException {
        CallerRanges callers = ProbeSet.startReading(o); // beside the JVM's first native calls below
        SelfProtection.apply();
        if (detach) {
            SelfProtection.detach();
        }
        int pid = Libc.getpid();
        ProcessScope scope = o.scopeRoot() < 0 ? ProcessScope.everything() : ProcessScope.tree(o.scopeRoot());
        Channel channel = new Channel(o.transport());
        PeerHosts hosts = new PeerHosts(); // learnt by the DNS probe, given to connects as they are queued
        ProbeSet.Armed armed = ProbeSet.arm(o, hosts, callers);
        OomGuard guard;
        Agent agent;
        try {
            guard = OomGuard.of(o.guard(), System.nanoTime());
            agent = new Agent(channel, armed.probes(), armed.window(), new EventQueue(o.queue(), hosts), scope, guard,
                    o.heartbeat().toNanos(), pid, SelfProtection.COMM, log);
        } catch (IOException | RuntimeException e) {
            armed.close(); // give back what they set in the kernel (audit rules)
            channel.close();
            throw e;
        }
        try {
            agent.connect(CONNECT_PATIENCE_NANOS);
        } catch (ErrnoException e) {
            agent.close();
            throw new NotReadyException("cannot connect to the host at " + o.transport() + ": " + e.getMessage()
                    + (o.transport().isUnix() ? " (is a receiver listening there?)" : ""), e);
        }
        return new Started(agent, "pid " + pid + ", mechanism " + armed.describeMechanism() + ", channel " + o.transport()
                + ", probes: " + String.join("; ", armed.on())
                + (armed.off().isEmpty() ? "" : "; OFF: " + String.join("; ", armed.off()))
                + (scope.isEverything() ? "" : "; scope: process tree of pid " + scope.root())
                + (guard.note().isEmpty() ? "" : "; " + guard.note()));
    }
}
