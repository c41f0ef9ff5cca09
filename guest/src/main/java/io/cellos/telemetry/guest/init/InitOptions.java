package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.agent.FailureMode;
import io.cellos.telemetry.guest.agent.Observation;
import io.cellos.telemetry.guest.agent.TransportAddress;
import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.linux.Capabilities;
import io.cellos.telemetry.wire.Wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How init runs, from its command line.
 *
 * @param workload        the workload's argv; empty in a microVM, where the kernel command line has it
 * @param hold            a FIFO to wait on before anything runs ({@code g} = go), then watched as the
 *                        cell's lifeline (its last writer gone, init ends the cell), or {@code null}
 * @param exitTo          where the workload's status goes (the exit-code channel, port 9000)
 * @param agentExternal   the agent is started by someone else (a local cell); init does not launch it
 * @param agentTransport  the agent's channel, when init launches it
 * @param watches         the agent's declared files, when init launches it; absolute and normalised
 * @param failureMode     what an agent that cannot become ready means
 * @param observation     how the agent observes processes, execs and connects, when init launches it
 * @param protect         more pids whose threads the gate protects
 * @param keep            capabilities the workload keeps, of those {@link WorkloadIsolation} drops
 */
public record InitOptions(List<String> workload, String hold, TransportAddress exitTo, boolean agentExternal,
                          TransportAddress agentTransport, List<String> watches, FailureMode failureMode,
                          Observation observation, List<Integer> protect, Set<Integer> keep) {
    /** The host's exit-code port: {@code vsock:2:9000}. */
    public static final TransportAddress DEFAULT_EXIT_TO = new TransportAddress(null, Wire.VMADDR_CID_HOST, Wire.VSOCK_EXIT_PORT);
    static final Set<String> VALUED = Set.of("hold", "exit-to", "agent-transport", "watch", "on-agent-failure", "probe-mechanism", "batch-window", "protect",
            "keep-capability");
    static final Set<String> FLAGS = Set.of("agent-external");

    public static final String HELP = """
            Usage: cellos init [--exit-to T] [--agent-transport T] [--watch PATH]...
                               [--on-agent-failure fail-cell|degrade] [--probe-mechanism M]
                               [--batch-window D] [--agent-external]
                               [--hold FIFO] [--protect PID]... [--keep-capability C]...
                               [-- CMD [ARGS...]]

            The cell's PID 1. Starts the telemetry agent and waits until it is ready (no workload
            instruction runs unobserved); starts the workload under the seccomp gate, which
            refuses what reaches init and the agent (signals by any route, ptrace, pidfds,
            process_vm_*, limits, priorities, scheduling, memory moves), what blinds or powers
            off (audit's netlink socket, bpf, perf_event_open, reboot, kexec, io_uring), vsock
            sockets, clone with CLONE_PARENT, and calls of other ABIs (each refusal is logged to
            audit, where the agent declares it as capability.denied); forwards SIGTERM and SIGINT
            to the workload; reaps
            every orphan; and when the workload ends sends its wait status to the host's
            exit-code channel (4 bytes, little-endian).

            With CMD (a local cell, or by hand), init runs CMD and exits with its status. Without
            it, init is a microVM's init: it must be PID 1, takes the workload's argv from the
            kernel command line (cellos.argv=<base64 of a JSON array of strings>), and powers the
            VM off at the end.

            Exit status: the workload's (128 + signal if a signal ended it); 125 the cell stopped
            before the workload started (the agent not ready under fail-cell, the hold aborted,
            the gate refused); 126 CMD is not executable; 127 CMD not found; 2 bad usage.

            Options:
              --exit-to T            exit-code channel: vsock:2:9000 (default) or unix:PATH
              --agent-transport T    the agent's channel: vsock:2:9001 (default) or unix:PATH
              --watch PATH           a declared file or directory for the agent (repeatable),
                                     reported by its absolute path (as for the agent)
              --on-agent-failure M   fail-cell (default): an agent that cannot become ready
                                     stops the cell; degrade: the workload runs without it
              --probe-mechanism M    the agent's: auto (default), bpf or audit
              --batch-window D       the agent's, under eBPF: 0 (default, off) or 1ms to 100ms
                                     (cellos agent --help says what it trades)
              --agent-external       do not start the agent: a local cell starts it outside
              --hold FIFO            wait for 'g' on FIFO before anything (a local cell uses it
                                     to start the agent first); anything else stops the cell.
                                     The FIFO stays the cell's lifeline: once no process holds it
                                     open for writing (the host side was killed), init kills the
                                     workload and ends
              --protect PID          also protect every thread of PID (repeatable)
              --keep-capability C    let the workload keep capability C (e.g. sys_admin, to mount),
                                     one of those it goes without by default (repeatable)

            The workload starts with the seccomp gate, in a mount namespace of its own whose
            /proc lists only processes it could trace (init and the agent are not among them),
            with every cgroup filesystem read-only, the files init and the agent run (the JVM,
            its libraries, the jar) read-only, and without CAP_SYS_PTRACE, CAP_SYS_RESOURCE,
            CAP_SYS_NICE, CAP_AUDIT_CONTROL, CAP_AUDIT_WRITE, CAP_AUDIT_READ, CAP_BPF,
            CAP_PERFMON, CAP_SYS_MODULE, CAP_SYS_BOOT, CAP_SYS_TIME, CAP_LEASE, CAP_SYS_RAWIO,
            CAP_CHECKPOINT_RESTORE and CAP_SYS_ADMIN.
            """;

    public InitOptions {
        workload = List.copyOf(workload);
        watches = List.copyOf(watches);
        protect = List.copyOf(protect);
        keep = Set.copyOf(keep);
    }

    /** Parses init's arguments. */
    public static InitOptions parse(List<String> argv) throws UsageException {
        Args a = Args.parse("init", argv, VALUED, FLAGS);
        try {
            TransportAddress exitTo = a.value("exit-to") == null ? DEFAULT_EXIT_TO : TransportAddress.parse(a.value("exit-to"));
            TransportAddress agent = a.value("agent-transport") == null ? TransportAddress.DEFAULT
                    : TransportAddress.parse(a.value("agent-transport"));
            FailureMode mode = a.value("on-agent-failure") == null ? FailureMode.FAIL_CELL
                    : FailureMode.parse(a.value("on-agent-failure"));
            Observation observation = Observation.parse(a);
            List<Integer> protect = new ArrayList<>();
            for (String p : a.values("protect")) {
                long pid = a.unsigned("--protect", p, Integer.MAX_VALUE);
                if (pid == 0) {
                    throw a.usage("--protect must be a pid, got 0");
                }
                protect.add((int) pid);
            }
            if (a.has("agent-external") && (a.has("agent-transport") || a.has("watch") || a.has("on-agent-failure")
                    || a.has("probe-mechanism") || a.has("batch-window"))) {
                throw a.usage("--agent-external: the agent's options belong to whoever starts it");
            }
            Set<Integer> keep = new TreeSet<>();
            for (String c : a.values("keep-capability")) {
                int n = Capabilities.number(c);
                if (!WorkloadIsolation.DROPPED.contains(n)) {
                    throw a.usage("--keep-capability " + c + ": the workload keeps " + Capabilities.name(n)
                            + " anyway; only these are dropped: " + Capabilities.names(WorkloadIsolation.DROPPED));
                }
                keep.add(n);
            }
            String hold = a.value("hold");
            if (hold != null) {
                PathArgs.fifo(a, "--hold", hold);
            }
            return new InitOptions(a.positional(), hold, exitTo, a.has("agent-external"), agent,
                    PathArgs.absolute(a.values("watch")), mode, observation, protect, keep);
        } catch (IllegalArgumentException e) {
            throw a.usage(e.getMessage());
        }
    }

    /** The agent's arguments, when init launches it. */
    List<String> agentArgs() {
        List<String> args = new ArrayList<>(List.of("--transport", agentTransport.toString(),
                "--on-agent-failure", failureMode.flag()));
        args.addAll(observation.agentArgs());
        args.addAll(List.of("--guard", Long.toString(ProcessHandle.current().pid())));
        for (String w : watches) {
            args.addAll(List.of("--watch", w));
        }
        return args;
    }
}
