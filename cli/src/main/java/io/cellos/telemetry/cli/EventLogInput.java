package io.cellos.telemetry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The input of the commands that read an event log back ({@code events attest}, {@code events
 * report}): the CloudEvents of {@code cell run} or {@code host listen}, one JSON object per line,
 * from the file named by the one positional argument, or from standard input when there is none
 * or it is {@code -}; and which of the cells (and runs) in it the command is about.
 *
 * @param events the events, one per non-blank line, in order
 * @param name   the input's name for messages: the file as given, or {@code standard input}
 */
record EventLogInput(List<JsonNode> events, String name) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads the input {@code a} names.
     *
     * @throws UsageException for more than one positional argument, a file that cannot be read, or
     *                        a line that is not JSON (named by its number)
     */
    static EventLogInput read(Args a, Io io) throws IOException, UsageException {
        if (a.positional().size() > 1) {
            throw a.usage("give at most one EVENTS file");
        }
        String file = a.positional().isEmpty() || a.positional().getFirst().equals("-") ? null : a.positional().getFirst();
        String name = file == null ? "standard input" : file;
        List<JsonNode> events = new ArrayList<>();
        try (BufferedReader in = file == null ? new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8))
                : Files.newBufferedReader(PathArgs.fileToRead(a, "EVENTS", file), StandardCharsets.UTF_8)) {
            int n = 0;
            for (String line; (line = in.readLine()) != null; ) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    events.add(JSON.readTree(line));
                } catch (JsonProcessingException e) {
                    throw new UsageException(name + ":" + n + ": not a JSON event: " + e.getOriginalMessage());
                }
            }
        }
        return new EventLogInput(List.copyOf(events), name);
    }

    /** The events whose {@code data.<member>} is {@code value}. */
    EventLogInput only(String member, String value) {
        return new EventLogInput(events.stream().filter(e -> value.equals(e.path("data").path(member).asText(null)))
                .toList(), name);
    }

    /**
     * The one {@code data.<member>} value the events hold ({@code cell_id}, {@code run_id}), or the
     * one {@code --<option>} chose among them.
     *
     * @throws UsageException when the events hold none, or several and the option chooses none, or
     *                        the option names one they do not hold; listing those they hold
     */
    String choose(Args a, String option, String member) throws UsageException {
        List<String> held = events.stream().map(e -> e.path("data").path(member).asText("")).filter(s -> !s.isEmpty())
                .distinct().toList();
        String chosen = a.value(option);
        if (chosen != null && !held.contains(chosen)) {
            throw a.usage("--" + option + " " + chosen + ": no event of it in " + name
                    + (held.isEmpty() ? "" : " (it holds " + String.join(", ", held) + ")"));
        }
        if (chosen == null && held.size() != 1) {
            throw a.usage(held.isEmpty() ? "no event with a " + member + " in " + name
                    : name + " holds " + held.size() + " " + option + "s (" + String.join(", ", held)
                    + "): choose one with --" + option);
        }
        return chosen != null ? chosen : held.getFirst();
    }
}
