package io.cellos.telemetry.guest;

import io.cellos.telemetry.guest.agent.AgentCommand;
import io.cellos.telemetry.guest.init.InitCommand;

import java.util.Arrays;
import java.util.List;

/**
 * {@code cellos-telemetry}: the agent for guest images, with nothing on the class path but
 * java.base, this module and the wire module. Takes the options of {@code cellos agent} (a leading
 * {@code agent} word is accepted too); {@code cellos-telemetry init ...} is the init role, for the
 * guest image's PID 1.
 */
public final class GuestMain {
    private GuestMain() {
    }

    public static void main(String[] args) {
        List<String> argv = Arrays.asList(args);
        int status;
        if (!argv.isEmpty() && argv.get(0).equals("init")) {
            status = InitCommand.run(argv.subList(1, argv.size()), GuestMain.class.getName(), System.out, System.err);
        } else {
            if (!argv.isEmpty() && argv.get(0).equals("agent")) {
                argv = argv.subList(1, argv.size());
            }
            status = AgentCommand.run(argv, GuestMain.class.getName(), System.out, System.err);
        }
        System.out.flush();
        System.exit(status);
    }
}
