package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.probe.ebpf.WakeWindow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the agent runs, from its command line and environment.
 *
 * @param transport    where frames go
 * @param watches      declared files and directories, absolute and normalised ({@link PathArgs#absolute})
 * @param failureMode  what a probe that cannot be armed means
 * @param queue        the bounded queue's capacity
 * @param heartbeat    the heartbeat interval
 * @param scopeRoot    the root of the declared process tree, or -1 for everything
 * @param mechanism    how processes, execs and connects are observed
 * @param processProbe the audit mechanism's process probe: {@code auto}, {@code connector} or {@code procwalk}
 * @param batchWindow  how long the eBPF programs may hold records back for the loop to read them
 *                     together ({@link WakeWindow}); zero: every record wakes the loop
 */
public record AgentOptions(TransportAddress transport, List<String> watches, FailureMode failureMode, int queue,
                           Duration heartbeat, int scopeRoot, ProbeMechanism mechanism, String processProbe, String log,
                           List<Integer> guard, Duration batchWindow) {
    /** Where the agent's diagnostics go by default, once it runs detached: the kernel log. */
    public static final String DEFAULT_LOG = "/dev/kmsg";
    /** The compatibility variable of the reference agent: one more watched path. */
    public static final String INOTIFY_PATH_VARIABLE = "CELLOS_TELEMETRY_INOTIFY_PATH";
    static final Set<String> VALUED = Set.of("transport", "watch", "on-agent-failure", "queue", "heartbeat",
            "scope-root", "probe-mechanism", "process-probe", "log", "guard", "batch-window");
    static final Set<String> FLAGS = Set.of("foreground", AgentLauncher.LAUNCHED_FLAG.substring(2));

    public static final String HELP = """
            Usage: cellos agent [--transport unix:PATH | vsock:CID:PORT] [--watch PATH]...
                                [--on-agent-failure fail-cell|degrade] [--queue N] [--heartbeat 2s]
                                [--scope-root PID] [--probe-mechanism auto|bpf|audit]
                                [--batch-window D]
                                [--process-probe auto|connector|procwalk]
                                [--log FILE] [--guard PID]... [--foreground]

            The in-guest telemetry agent. Observes processes (fork, exec, exit), declared files,
            outbound connects, raw and packet sockets opened, and refused privileged operations
            through the kernel's own events, and streams them as frames to the host. It never blocks the workload: a full queue drops
            and counts, and the count reaches the host. What changes its means of observation
            (audit's rules or settings, a forged netlink message, its or init's oom_score_adj,
            a watched path deleted or moved) is put back where it can be and declared as
            agent.tampered. Every exec carries the sha256 of the file the kernel ran (when it
            could be read in time); connects, raw sockets, file events and denials name the program (exe, and
            its sha256) beside the comm, which a process sets itself. A connect names the host
            the guest last resolved to its address (host), from the plain DNS answers (UDP/TCP
            from port 53) the agent sees on the guest's interfaces; names resolved otherwise — DNS
            over HTTPS/TLS/QUIC, other ports, /etc/hosts, a cache that sends no packet, before the
            agent started — are not seen.

            Launch contract: started by init before the workload, the command returns 0 only once
            the agent is ready (channel connected, every probe armed) and runs on detached in its
            own session; 2 with the reason on standard error if it cannot become ready (an agent that
            has not said so within 60 s is killed). Once running, an unrecoverable failure makes the
            agent exit 3. Run it as root, in the initial PID namespace (the process connector and
            audit accept no one else).

            Options:
              --transport T          vsock:2:9001 (default, the host) or unix:PATH (a local cell)
              --watch PATH           a declared file or directory (repeatable); also $%s.
                                     Events name it by its absolute path: a relative PATH is
                                     taken from the working directory, . and .. are removed,
                                     symbolic links are kept as written
              --on-agent-failure M   fail-cell (default): a probe that cannot be armed stops the
                                     launch; degrade: start without it and say which are off
              --queue N              bounded queue capacity (default 1024)
              --heartbeat D          agent.heartbeat after D without other frames (default 2s)
              --scope-root PID       declare only PID and its descendants (default: everything);
                                     when PID ends, the agent hands over what it holds and ends too
              --probe-mechanism M    how processes, execs and connects are observed: bpf, eBPF
                                     programs on tracepoints and cgroup socket hooks (no cost on
                                     other system calls; a refusal that involves no capability
                                     check, such as a read-only file system's, is not seen);
                                     audit, kernel audit's syscall rules with the process
                                     connector (every system call of every process takes audit's
                                     slow path); auto (default): bpf when the kernel allows it,
                                     else audit, saying why. The ready line names the one in use
              --batch-window D       eBPF: how long the kernel may hold events back so that
                                     events close together are read and sent in one wake of
                                     the agent: 0 (default, off) or 1ms to 100ms. The first event
                                     after a quiet window still wakes the agent at once; the
                                     rest wait about D (less when a ring fills up). Under a
                                     steady load of ~600 events/s, 10ms took about half of the
                                     agent's CPU per event off and 100ms four fifths (about 20 ms
                                     per 1,000 events, 10 once warm), and each added up to D to
                                     an event's delay; events held when the VM ends suddenly are
                                     lost with it (the host declares that end)
              --process-probe P      audit's process probe: auto (default: the netlink connector,
                                     else the /proc walk), connector, or procwalk (the
                                     reference's 100 ms poll); connector or procwalk choose audit
              --log FILE             where the agent's diagnostics go once it runs detached, appended
                                     (default %s, the kernel log); it keeps none of the
                                     caller's standard streams, so a caller capturing them
                                     sees their end when the launcher returns
              --guard PID            also keep PID's oom_score_adj at -1000, as the agent does its
                                     own, declaring any change (init passes itself; repeatable)
              --foreground           run in this process; do not detach (for debugging)
            """.formatted(INOTIFY_PATH_VARIABLE, DEFAULT_LOG);

    public AgentOptions {
        watches = List.copyOf(watches);
        guard = List.copyOf(guard);
    }

    /** Parses the agent's arguments; the environment may add a watch. */
    public static AgentOptions parse(List<String> argv, Map<String, String> env) throws UsageException {
        Args a = Args.parse("agent", argv, VALUED, FLAGS);
        if (!a.positional().isEmpty()) {
            throw a.usage("unexpected argument '" + a.positional().get(0) + "'");
        }
        try {
            TransportAddress t = a.value("transport") == null ? TransportAddress.DEFAULT
                    : TransportAddress.parse(a.value("transport"));
            List<String> watches = new ArrayList<>(a.values("watch"));
            String compat = env.get(INOTIFY_PATH_VARIABLE);
            if (compat != null && !compat.isEmpty()) {
                watches.add(compat);
            }
            watches = PathArgs.absolute(watches);
            FailureMode mode = a.value("on-agent-failure") == null ? FailureMode.FAIL_CELL
                    : FailureMode.parse(a.value("on-agent-failure"));
            int queue = a.value("queue") == null ? 1024 : (int) a.unsigned("--queue", a.value("queue"), 1 << 20);
            if (queue < 1) {
                throw a.usage("--queue must be at least 1");
            }
            Duration hb = a.positiveDuration("heartbeat", Duration.ofSeconds(2));
            int root = a.value("scope-root") == null ? -1
                    : (int) a.unsigned("--scope-root", a.value("scope-root"), Integer.MAX_VALUE);
            if (root == 0) {
                throw a.usage("--scope-root 0 names no process; give the pid of the tree's root, or leave it out");
            }
            String pp = a.value("process-probe") == null ? "auto" : a.value("process-probe");
            if (!Set.of("auto", "connector", "procwalk").contains(pp)) {
                throw a.usage("--process-probe must be auto, connector or procwalk, got '" + pp + "'");
            }
            ProbeMechanism mechanism = Observation.mechanism(a);
            if (!pp.equals("auto")) {
                if (mechanism == ProbeMechanism.BPF) {
                    throw a.usage("--process-probe " + pp + " is audit's process probe; --probe-mechanism bpf has its own");
                }
                mechanism = ProbeMechanism.AUDIT;
            }
            String log = a.value("log") == null ? DEFAULT_LOG : PathArgs.absolute(List.of(a.value("log"))).getFirst();
            List<Integer> guard = new ArrayList<>();
            for (String g : a.values("guard")) {
                long pid = a.unsigned("--guard", g, Integer.MAX_VALUE);
                if (pid == 0) {
                    throw a.usage("--guard 0 names no process; give init's pid");
                }
                guard.add((int) pid);
            }
            Duration window = Observation.batchWindow(a, mechanism);
            return new AgentOptions(t, watches, mode, queue, hb, root, mechanism, pp, log, guard, window);
        } catch (IllegalArgumentException e) {
            throw a.usage(e.getMessage());
        }
    }
}
