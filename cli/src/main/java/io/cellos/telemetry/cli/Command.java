package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.UsageException;

import java.util.List;

/** One command of {@code cellos}, named by one or two words ({@code host listen}). */
interface Command {
    /** The words that name it. */
    String name();

    /** One line for the command list. */
    String summary();

    /** The full help: usage line, what it does, every option. */
    String help();

    /**
     * Runs the command.
     *
     * @param args the arguments after the command's words
     * @return the exit status
     * @throws UsageException when the arguments are wrong; nothing was done
     */
    int run(List<String> args, Io io) throws Exception;
}
