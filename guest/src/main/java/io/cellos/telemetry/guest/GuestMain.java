package io.cellos.telemetry.guest;

import io.cellos.telemetry.guest.agent.AgentCommand;
import io.cellos.telemetry.guest.agent.AgentOptions;

import java.util.Arrays;
import java.util.List;

/**
 * The guest's own front end ({@code cellos-telemetry}): the roles that run inside a cell, with
 * nothing on the class path but java.base and the wire module.
 */
public final class GuestMain {
    private GuestMain() {
    }

    public static void main(String[] args) {
        List<String> argv = Arrays.asList(args);
        int status;
        if (!argv.isEmpty() && argv.get(0).equals("agent")) {
            status = AgentCommand.run(argv.subList(1, argv.size()), GuestMain.class.getName(), System.out, System.err);
        } else {
            System.err.print("Usage: cellos-telemetry agent [options]   (see 'cellos-telemetry agent --help')\n\n"
                    + AgentOptions.HELP);
            status = argv.isEmpty() || !argv.get(0).equals("--help") ? 2 : 0;
        }
        System.out.flush();
        System.exit(status);
    }
}
