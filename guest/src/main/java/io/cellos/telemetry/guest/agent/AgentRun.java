package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Libc;

import java.io.IOException;
import java.io.PrintStream;

/**
 * The agent process itself: protect, connect, arm, announce readiness, run.
 *
 * <p>Readiness is one line on the readiness stream — {@code READY <summary>} or
 * {@code NOT-READY <reason>} — after which that stream is closed; the launcher waits for it.
 */
final class AgentRun {
    /** How long the channel may take to connect before the agent gives up becoming ready. */
    static final long CONNECT_PATIENCE_NANOS = 5_000_000_000L;

    private AgentRun() {
    }

    /**
     * @param detach    leave the launcher's session first (launched mode)
     * @param readiness where the readiness line goes; closed after it
     * @param log       where the agent speaks once running
     * @return the exit status: 2 not ready, 3 an unrecoverable failure after readiness
     */
    static int run(AgentOptions o, boolean detach, PrintStream readiness, PrintStream log) {
        Agent agent;
        String summary;
        try {
            SelfProtection.apply();
            if (detach) {
                SelfProtection.detach();
            }
            int pid = Libc.getpid();
            ProcessScope scope = o.scopeRoot() < 0 ? ProcessScope.everything() : ProcessScope.tree(o.scopeRoot());
            EventQueue queue = new EventQueue(o.queue());
            Channel channel = new Channel(o.transport());
            ProbeSet.Armed armed = ProbeSet.arm(o, scope);
            agent = new Agent(channel, armed.probes(), queue, scope, o.heartbeat().toNanos(), pid, SelfProtection.COMM, log);
            try {
                agent.connect(CONNECT_PATIENCE_NANOS);
            } catch (ErrnoException e) {
                agent.close();
                throw new NotReadyException("cannot connect to the host at " + o.transport() + ": " + e.getMessage()
                        + (o.transport().isUnix() ? " (is a receiver listening there?)" : ""), e);
            }
            summary = "pid " + pid + ", channel " + o.transport() + ", probes: " + String.join("; ", armed.on())
                    + (armed.off().isEmpty() ? "" : "; OFF: " + String.join("; ", armed.off()))
                    + (scope.isEverything() ? "" : "; scope: process tree of pid " + scope.root());
        } catch (NotReadyException e) {
            readiness.println("NOT-READY " + e.getMessage());
            readiness.close();
            return 2;
        } catch (IOException | RuntimeException e) {
            readiness.println("NOT-READY " + e.getMessage());
            readiness.close();
            return 2;
        }
        readiness.println("READY " + summary);
        readiness.close();
        try (agent) {
            agent.run();
            return 0;
        } catch (IOException | RuntimeException e) {
            log.println("cellos-telemetry: stopping on an unrecoverable failure: " + e.getMessage());
            return 3;
        }
    }
}
