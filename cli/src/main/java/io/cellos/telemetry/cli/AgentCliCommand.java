package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.agent.AgentCommand;
import io.cellos.telemetry.guest.agent.AgentOptions;

import java.util.List;

/** {@code cellos agent}: the guest agent, as {@code cellos-telemetry agent} runs it. */
final class AgentCliCommand implements Command {
    @Override
    public String name() {
        return "agent";
    }

    @Override
    public String summary() {
        return "the in-guest telemetry agent (returns once it is ready)";
    }

    @Override
    public String help() {
        return AgentOptions.HELP;
    }

    @Override
    public int run(List<String> args, Io io) {
        return AgentCommand.run(args, Main.class.getName(), io.out(), io.err());
    }
}
