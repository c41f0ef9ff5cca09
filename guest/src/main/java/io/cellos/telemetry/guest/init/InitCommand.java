package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.GuestJvm;
import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.linux.Processes;
import io.cellos.telemetry.guest.linux.Signals;
import io.cellos.telemetry.guest.linux.ThreadStatus;
import io.cellos.telemetry.wire.ExitCode;
import io.cellos.telemetry.wire.WaitStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code init}: the cell's PID 1 ({@link InitOptions#HELP}).
 *
 * <p>Init takes SIGTERM, SIGINT and SIGCHLD from a {@code signalfd}, which works only if every
 * thread of the process blocks them. Threads inherit their creator's mask and {@code execve} keeps
 * it, but the JVM unblocks the shutdown signals in its threads unless {@code -Xrs} is given. So
 * init's JVM must start with both: the image's {@code bin/cellos-init} and a local cell start it
 * through {@link #BLOCKING_LAUNCHER} with its {@link #JVM_OPTIONS}. Started any other way (by hand,
 * or where no {@code env} can block signals), init blocks them on its thread and executes itself
 * again with the {@link #SHIELDS} it lacks, a second JVM start (about 0.15 s, BENCHMARKS.md "Init's
 * start without its re-execution"); the JVM that results starts every thread with them blocked.
 */
public final class InitCommand {
    /**
     * What init's JVM must run with, whoever started it: its own signal handling ({@code -Xrs}), no
     * attach socket a root workload could load code through, no perf-data file it could write.
     */
    static final List<String> SHIELDS = List.of("-Xrs", "-XX:+DisableAttachMechanism", "-XX:-UsePerfData");
    /**
     * JVM flags for init: the {@link #SHIELDS}, the JVM's messages kept off the workload's standard
     * output ({@link GuestJvm#MESSAGES_TO_STDERR}), and small ({@link GuestJvm#SMALL}: 44 MiB
     * resident instead of 53, BENCHMARKS.md "Init's resident memory").
     */
    public static final List<String> JVM_OPTIONS = Stream.of(SHIELDS.stream(), GuestJvm.MESSAGES_TO_STDERR.stream(),
            GuestJvm.SMALL.stream(),
            Stream.of("-Xmx64m", "-XX:-UseDynamicNumberOfCompilerThreads", "--enable-native-access=ALL-UNNAMED"))
            .flatMap(s -> s).toList();
    /** The signals init takes from its {@code signalfd}. */
    static final int[] TAKEN = {Signals.SIGTERM, Signals.SIGINT, Signals.SIGCHLD};
    /**
     * A command that runs the rest of its command line with {@link #TAKEN} blocked: GNU
     * {@code env --block-signal} (coreutils 8.31 and later). Put before init's {@code java}, it
     * spares init its re-execution; a launcher checks that the {@code env} it finds can do it
     * ({@code env --block-signal=… true} succeeds) and otherwise starts init without it.
     */
    public static final List<String> BLOCKING_LAUNCHER = List.of("env", "--block-signal="
            + String.join(",", Arrays.stream(TAKEN).mapToObj(s -> WaitStatus.signalName(s).substring("SIG".length()))
            .toList()));

    private InitCommand() {
    }

    /**
     * @param mainClass the front end's main class, which the launched agent runs
     * @return init's exit status (see {@link InitOptions#HELP})
     */
    public static int run(List<String> argv, String mainClass, PrintStream out, PrintStream err) {
        InitOptions options;
        try {
            Args a = Args.parse("init", argv, InitOptions.VALUED, InitOptions.FLAGS);
            if (a.has("help")) {
                out.print(InitOptions.HELP);
                return ExitCode.OK;
            }
            options = InitOptions.parse(argv);
        } catch (UsageException e) {
            err.println("cellos init: " + e.getMessage());
            return ExitCode.USAGE;
        }
        List<String> workload = options.workload();
        boolean microVm = workload.isEmpty();
        if (microVm) {
            try {
                workload = microVmWorkload();
            } catch (IllegalArgumentException | IOException e) {
                err.println("cellos init: " + e.getMessage());
                return ExitCode.USAGE;
            }
        }
        try {
            ThreadStatus self = ThreadStatus.ofThisThread(); // no native call yet: the agent starts first
            if (self.effectiveUid() != 0) {
                err.println("cellos init: must run as root (it installs a seccomp gate, and the agent needs root)");
                return ExitCode.USAGE;
            }
            takeSignalsSynchronously(self);
        } catch (IOException e) {
            err.println("cellos init: cannot take over the shutdown signals: " + e.getMessage());
            return ExitCode.CELL_FAILED;
        }
        return new InitRun(options, workload, microVm, mainClass, err).run();
    }

    /** The workload of a microVM, from the kernel command line; init must be PID 1 there. */
    private static List<String> microVmWorkload() throws IOException {
        List<String> argv = KernelCommandLine.argv(Files.readString(Path.of("/proc/cmdline"), StandardCharsets.UTF_8));
        if (argv == null || ProcessHandle.current().pid() != 1) {
            throw new IllegalArgumentException("no workload: give it after -- (cellos init -- CMD [ARGS...]), or run "
                    + "init as a microVM's PID 1 booted with " + KernelCommandLine.KEY + "<base64 of a JSON array>");
        }
        return argv;
    }

    /**
     * Returns once every thread blocks {@link #TAKEN} and the JVM runs with {@link #SHIELDS}; else
     * blocks them here and re-executes this JVM with the options it lacks (however init was
     * started: by a local cell, which gives them, or by hand through the launcher script).
     */
    private static void takeSignalsSynchronously(ThreadStatus self) throws IOException {
        boolean blocked = Arrays.stream(TAKEN).allMatch(self::blocks);
        List<String> argv = new ArrayList<>(Arrays.asList(
                Files.readString(Path.of("/proc/self/cmdline"), StandardCharsets.UTF_8).split("\0")));
        List<String> missing = SHIELDS.stream().filter(o -> !argv.contains(o)).toList();
        if (blocked && missing.isEmpty()) {
            return;
        }
        argv.addAll(1, missing);
        Signals.blockInThisThread(TAKEN);
        System.out.flush();
        System.err.flush();
        Processes.exec(Path.of("/proc/self/exe").toRealPath().toString(), argv, Processes.environment());
    }
}
