package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.init.InitCommand;
import io.cellos.telemetry.guest.init.InitOptions;

import java.util.List;

/** {@code cellos init}: the cell's PID 1, as {@code cellos-telemetry init} runs it in a guest image. */
final class InitCliCommand implements Command {
    @Override
    public String name() {
        return "init";
    }

    @Override
    public String summary() {
        return "a cell's PID 1: agent first, then the workload behind the seccomp gate";
    }

    @Override
    public String help() {
        return InitOptions.HELP;
    }

    @Override
    public int run(List<String> args, Io io) {
        return InitCommand.run(args, Main.class.getName(), io.out(), io.err());
    }
}
