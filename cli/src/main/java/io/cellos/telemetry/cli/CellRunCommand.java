package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;

import java.util.List;
import java.util.Set;

/** {@code cellos cell run}: a whole cell on this machine, no VM ({@link LocalCell}). */
final class CellRunCommand implements Command {
    private static final Set<String> VALUED = Set.of("watch", "out", "keepalive", "dir", "cell-id", "on-agent-failure",
            "probe-mechanism", "batch-window", "pid-namespace", "keep-capability", "summary-json", "summary-markdown", "report",
            "attest", "invocation", "guest-image", "format");

    @Override
    public String name() {
        return "cell run";
    }

    @Override
    public String summary() {
        return "run a command in a local cell (init, agent, seccomp gate, receiver) and summarize what it did";
    }

    @Override
    public String help() {
        return """
                Usage: cellos cell run [--watch PATH]... [--out FILE|nats://HOST:PORT[/STREAM]] [--keepalive D] [--dir DIR]
                                       [--cell-id ID] [--on-agent-failure fail-cell|degrade]
                                       [--probe-mechanism auto|bpf|audit] [--batch-window D]
                                       [--pid-namespace new|shared] [--keep-capability C]...
                                       [--summary-json FILE] [--summary-markdown FILE] [--report FILE.html]
                                       [--attest FILE [--invocation URI]] [--guest-image DIR]
                                       [--format cloudevents|ocsf] -- CMD [ARGS...]

                Runs CMD in a local cell: the whole system on this machine, with PID and mount
                namespaces standing in for the microVM and UNIX sockets for vsock. The receiver binds
                DIR/cell.vsock_9001 (telemetry) and DIR/cell.vsock_9000 (exit code) first; init
                starts as PID 1 of the new namespaces and waits; the agent starts outside them, in
                the initial PID namespace, declaring init's process tree; once it is ready, init
                installs the seccomp gate and starts CMD. Inside the cell the agent cannot even be
                named, and the gate protects init.

                Standard output shows CMD's own output, then a summary: the process tree (name,
                executable, pid, status, lifetime), connections attempted, raw and packet sockets
                opened, declared files touched and by whom, denials, drops, and where the full
                event log (CloudEvents, one per line) is. A process is named by its comm everywhere: the kernel's name for it, set
                from the file name it executes (at most 15 bytes) and changeable by the process
                itself; the tree adds the executable in parentheses: under the audit mechanism the
                file the kernel ran, symbolic links resolved, sh (/usr/bin/dash); under eBPF the
                name execve was given, sh (/bin/sh), or for a script the script. A CMD that cannot
                be executed shows as never started, named after the file it tried to run.

                Exit status: CMD's (128 + signal if a signal ended it); 125 if the cell could not
                start it; 126 not executable; 127 not found; 2 bad usage. Needs root.

                Options:
                  --watch PATH           a declared file or directory (repeatable; must exist). Events
                                         and the summary name it by its absolute path: a relative
                                         PATH is taken from the working directory, . and .. are
                                         removed, symbolic links are kept as written
                  --out FILE             the event log (default DIR/events.jsonl). A file that is
                                         there already is appended to, never truncated: the summary
                                         says how many lines it held and at which line this run's
                                         events start
                  --out nats://HOST:PORT[/STREAM][?options]
                                         publish the events to NATS JetStream instead (options and
                                         subjects: 'cellos host listen --help')
                """ + FormatOption.help(25) + """

                                         (--attest needs cloudevents)
                  --keepalive D          the receiver's keep-alive window (default 10s)
                  --dir DIR              the cell's directory (default a new one under /tmp), made if
                                         missing; refused while a running cell uses it; the sockets
                                         and FIFO a killed cell left there are replaced
                  --cell-id ID           the cell's id in the events (default local-<time>)
                  --on-agent-failure M   fail-cell (default) or degrade, as for the agent
                  --probe-mechanism M    auto (default), bpf or audit, as for the agent: how it
                                         observes processes, execs and connects; the summary
                                         says which it used
                  --batch-window D       as for the agent, under eBPF: 0 (default, off) or 1ms
                                         to 100ms; cellos agent --help says what it trades
                  --summary-json FILE    also write the summary as JSON (schema cellos.cell-summary/1,
                                         docs/summary.md): every list whole, the process tree nested
                  --summary-markdown FILE
                                         also write it as Markdown tables, for a CI page; when
                                         GITHUB_STEP_SUMMARY is set, the Markdown is appended to the
                                         file it names too. Both files are replaced, not appended to;
                                         one that cannot be written is said on standard error
                  --report FILE.html     also draw the run as one self-contained page: the process
                                         tree as a timeline with its connections, raw sockets,
                                         files and denials marked, drops at the top (no network
                                         needed to view it)
                  --attest FILE          also write this run's events as a signed in-toto runtime
                                         trace (as 'cellos events attest' does; its subjects the
                                         declared files touched), which needs an Ed25519 signing key
                                         in the environment and the event log in a file
                  --invocation URI       the run's id in the attestation, e.g. the CI run's URI
                  --guest-image DIR      run init and the agent from a guest image ('cellos package
                                         guest'): its jlink runtime, its jar, its AOT cache and the
                                         flags its bin/cellos-init and bin/cellos-telemetry give, as
                                         in a VM (default: this JVM and its class path). The summary
                                         names the image
                """ + CellIsolation.HELP + """

                What stays: the cell's sockets and hold FIFO are removed at the end, the event log
                stays. A directory the command made itself (no --dir) is removed when nothing is
                left in it, i.e. when --out sent the events elsewhere; a --dir given is never removed.

                Signing is set by the environment, as for 'cellos host listen'.
                """;
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, VALUED, Set.of());
        if (a.positional().isEmpty()) {
            throw a.usage("nothing to run: give the command after --, e.g. cellos cell run -- sh -c 'echo hi'");
        }
        CellOptions options = CellOptions.parse(a, "cellos-cell-");
        try {
            return options.run(a.positional(), io);
        } finally {
            options.dir().removeIfMadeAndEmpty();
        }
    }
}
