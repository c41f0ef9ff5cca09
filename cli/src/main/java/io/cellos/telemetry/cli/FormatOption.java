package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.host.event.EventFormat;

import java.util.List;

/**
 * {@code --format cloudevents|ocsf}, as {@code host listen}, {@code cell run} and
 * {@code events tail} take it: what the {@code data} of the events they write holds.
 */
final class FormatOption {
    private static final List<String> HELP = List.of(
            "what each event's data holds: cloudevents (default), the",
            "receiver's own fields (docs/protocol.md §7.1), or ocsf, an",
            "OCSF 1.8 event object, the event's dataschema naming its",
            "class (§7.10). Either way each line is a CloudEvent, signed",
            "and published alike");

    /** The option's lines in a command's help, its description starting at {@code column}. */
    static String help(int column) {
        String name = "  --format F";
        return name + " ".repeat(column - name.length()) + String.join("\n" + " ".repeat(column), HELP);
    }

    private FormatOption() {
    }

    /**
     * The format {@code --format} names, {@link EventFormat#CLOUDEVENTS} without the option.
     *
     * @throws UsageException for any other value, naming the formats there are
     */
    static EventFormat parse(Args a) throws UsageException {
        String text = a.value("format");
        if (text == null) {
            return EventFormat.CLOUDEVENTS;
        }
        try {
            return EventFormat.parse(text);
        } catch (IllegalArgumentException e) {
            throw a.usage("--format: " + e.getMessage());
        }
    }
}
