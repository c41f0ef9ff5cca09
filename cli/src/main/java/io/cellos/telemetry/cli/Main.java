package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.wire.ExitCode;

import java.util.Arrays;
import java.util.List;

/**
 * The {@code cellos} command: one front for every role. Dispatches on the first one or two words;
 * the first word of a group of commands ({@code frame}) alone lists the group, as does that word
 * followed by {@code --help}.
 *
 * <p>Exit status: what the command returns; 2 for a command line that cannot be carried out
 * (the message on standard error says what to change).
 */
public final class Main {
    private static final List<Command> COMMANDS = List.of(
            new DemoCommand(),
            new CellRunCommand(),
            new AgentCliCommand(),
            new InitCliCommand(),
            new PackageGuestCommand(),
            new HostListenCommand(),
            new FrameEncodeCommand(),
            new FrameDecodeCommand(),
            new FrameSendCommand(),
            new EventsVerifyCommand(),
            new EventsAttestCommand(),
            new EventsReportCommand(),
            new EventsTailCommand(),
            new EventsKeygenCommand());

    /** The command the {@code cellos} script runs from the bench jar rather than from this one. */
    private static final String BENCH = "bench";

    private Main() {
    }

    public static void main(String[] args) {
        Io io = Io.system();
        int status = run(Arrays.asList(args), io);
        io.out().flush();
        System.exit(status);
    }

    /** Runs one command line; used by {@link #main} and by tests. */
    static int run(List<String> args, Io io) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            io.out().print(overview());
            return args.isEmpty() ? ExitCode.USAGE : ExitCode.OK;
        }
        for (Command c : COMMANDS) {
            List<String> words = List.of(c.name().split(" "));
            if (args.size() >= words.size() && args.subList(0, words.size()).equals(words)) {
                List<String> rest = args.subList(words.size(), args.size());
                int end = rest.indexOf("--");
                List<String> options = end < 0 ? rest : rest.subList(0, end);
                if (options.contains("--help") || options.contains("-h")) {
                    io.out().print(c.help());
                    return ExitCode.OK;
                }
                try {
                    return c.run(rest, io);
                } catch (UsageException e) {
                    io.err().println("cellos " + c.name() + ": " + e.getMessage());
                    return ExitCode.USAGE;
                } catch (Exception e) {
                    io.err().println("cellos " + c.name() + ": " + e);
                    if (System.getenv("CELLOS_DEBUG") != null) {
                        e.printStackTrace(io.err());
                    } else {
                        io.err().println("(set CELLOS_DEBUG=1 for the stack trace)");
                    }
                    return ExitCode.FAILED;
                }
            }
        }
        String word = args.get(0);
        if (word.equals(BENCH)) {
            io.err().println("cellos bench: runs from the bench jar, which the ./cellos script builds and starts:"
                    + " ./cellos bench --help");
            return ExitCode.USAGE;
        }
        List<Command> group = COMMANDS.stream().filter(c -> c.name().startsWith(word + " ")).toList();
        if (group.isEmpty()) {
            io.err().println("cellos: unknown command '" + word + "'; run 'cellos --help' for the list");
            return ExitCode.USAGE;
        }
        if (args.size() > 1 && (args.get(1).equals("--help") || args.get(1).equals("-h"))) {
            io.out().print(list("cellos " + word, group));
            return ExitCode.OK;
        }
        io.err().println(args.size() == 1 ? "cellos " + word + ": which one? name the command"
                : "cellos " + word + ": unknown command '" + args.get(1) + "'");
        io.err().print(list("cellos " + word, group));
        return ExitCode.USAGE;
    }

    private static String overview() {
        String list = list("cellos", COMMANDS);
        int end = list.indexOf("\nRun 'cellos <command> --help'");
        return "cellos - CellOS telemetry: the in-guest agent, the host receiver, and tools\n\n" + list.substring(0, end)
                + String.format("  %-15s %s%n", BENCH, "every benchmark in one run, into BENCHMARKS.md (as root;"
                + " from the bench jar)") + list.substring(end);
    }

    /** The usage line of {@code prefix}, its commands with their summaries, and where their options are. */
    private static String list(String prefix, List<Command> commands) {
        StringBuilder sb = new StringBuilder("Usage: " + prefix + " <command> [options]\n\nCommands:\n");
        for (Command c : commands) {
            sb.append(String.format("  %-15s %s%n", c.name(), c.summary()));
        }
        return sb.append("\nRun 'cellos <command> --help' for a command's options.\n").toString();
    }
}
