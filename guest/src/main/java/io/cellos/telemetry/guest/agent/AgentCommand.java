package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.wire.ExitCode;

import java.io.PrintStream;
import java.util.List;

/** {@code agent}: launch the agent (the launch contract), or with {@code --foreground} be it. */
public final class AgentCommand {
    private AgentCommand() {
    }

    /**
     * @param mainClass the front end's main class, which the launched agent process runs again
     * @return the exit status: 0 ready (or, in the foreground, stopped), 2 not ready or bad usage,
     *         3 an unrecoverable failure while running in the foreground
     */
    public static int run(List<String> argv, String mainClass, PrintStream out, PrintStream err) {
        Args a;
        AgentOptions options;
        try {
            a = Args.parse("agent", argv, AgentOptions.VALUED, AgentOptions.FLAGS);
            options = AgentOptions.parse(argv, System.getenv());
        } catch (UsageException e) {
            err.println("cellos-telemetry: " + e.getMessage());
            return ExitCode.USAGE;
        }
        if (a.has("help")) {
            out.print(AgentOptions.HELP);
            return ExitCode.OK;
        }
        if (!a.has("foreground")) {
            return AgentLauncher.launch(mainClass, argv, err);
        }
        return AgentRun.run(options, a.has(AgentLauncher.LAUNCHED_FLAG.substring(2)), out, err);
    }
}
