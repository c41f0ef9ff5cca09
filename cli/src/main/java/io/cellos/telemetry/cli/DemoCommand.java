package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** {@code cellos demo}: a local cell over a small bundled workload. */
final class DemoCommand implements Command {
    private static final String SCRIPT = "demo-workload.sh";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "see the whole system work: a local cell over a small bundled workload";
    }

    @Override
    public String help() {
        return """
                Usage: cellos demo [--dir DIR] [--out FILE|nats://HOST:PORT[/STREAM]] [--keepalive D]
                                   [--pid-namespace new|shared] [--keep-capability C]...
                                   [--probe-mechanism auto|bpf|audit] [--guest-image DIR]

                Runs 'cellos cell run' over a small bundled workload (a shell script) that runs 20
                short-lived processes, writes a file in a declared directory, connects to a
                listener on 127.0.0.1 that this command opens, tries to kill init and every process
                of the cell (the seccomp gate refuses, and the refusals are declared), looks for
                the agent (it cannot be seen from inside), and tries to set the hostname as user
                nobody (refused by the kernel, declared). Then it prints the cell's summary.
                Needs root, like every local cell.

                The script and the watched directory it writes are made in DIR and removed at
                the end; the event log stays, and a directory the demo made itself is removed
                when nothing is left in it (with --out elsewhere), as for cell run.

                Options:
                  --dir DIR      the cell's directory (default a new one under /tmp), as for cell run
                  --out FILE     the event log (default DIR/events.jsonl), appended to as for cell
                                 run; a nats:// target publishes the events to NATS JetStream
                                 instead ('cellos host listen --help')
                  --keepalive D  the receiver's keep-alive window (default 10s)
                  --pid-namespace, --keep-capability, --probe-mechanism, --guest-image: as for
                                 cell run ('cellos cell run --help')
                """;
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("dir", "out", "keepalive", "pid-namespace", "keep-capability",
                "probe-mechanism", "guest-image"), Set.of());
        if (!a.positional().isEmpty()) {
            throw a.usage("unexpected argument '" + a.positional().get(0) + "'");
        }
        return runOver(CellOptions.parse(a, "cellos-demo-"), io);
    }

    /**
     * Runs the demo's workload in a local cell with {@code options}; removes what it wrote there but
     * the event log, and the cell's directory if it made it and nothing is left in it.
     */
    static int runOver(CellOptions options, Io io) throws IOException, InterruptedException, UsageException {
        Path dir = options.dir().path();
        Path watched = dir.resolve("watched");
        boolean madeWatched = Files.notExists(watched);
        Path script = dir.resolve(SCRIPT);
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Files.createDirectories(watched);
            try (InputStream in = DemoCommand.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IOException(SCRIPT + " is missing from the jar");
                }
                Files.write(script, in.readAllBytes());
            }
            Thread.ofPlatform().daemon().name("demo-listener").start(() -> acceptAll(listener));
            List<String> workload = List.of("sh", script.toString(), watched.resolve("build.log").toString(),
                    Integer.toString(listener.getLocalPort()));
            return options.withWatch(watched).run(workload, io);
        } finally {
            Files.deleteIfExists(script);
            if (madeWatched) {
                removeTree(watched);
            }
            options.dir().removeIfMadeAndEmpty();
        }
    }

    /** Removes {@code top} and everything under it; symbolic links are removed, not followed. */
    static void removeTree(Path top) throws IOException {
        if (Files.notExists(top)) {
            return;
        }
        try (Stream<Path> all = Files.walk(top)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Accepts and closes every connection until the listener closes. */
    private static void acceptAll(ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                listener.accept().close();
            } catch (IOException e) {
                // the listener closed at the end of the demo, or a client gave up: nothing to keep
            }
        }
    }
}
