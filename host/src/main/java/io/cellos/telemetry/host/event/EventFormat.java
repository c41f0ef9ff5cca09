package io.cellos.telemetry.host.event;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What the {@code data} of the CloudEvents a host makes holds (protocol.md §7, §7.10): the
 * receiver's own JSON of a frame and its stamp, or the same event as an OCSF 1.8 object. Either
 * way the event around it is the same CloudEvent, so signing, JSON lines, NATS and verification do
 * not depend on it. Chosen once, for a whole receiver.
 */
public enum EventFormat {
    /** The receiver's own {@code data} (protocol.md §7.1–§7.8); the default. */
    CLOUDEVENTS("cloudevents"),
    /** An OCSF 1.8 event object as {@code data}, with a {@code dataschema} naming its class (§7.10). */
    OCSF("ocsf");

    /** How the formats are named on a command line, {@code cloudevents|ocsf}. */
    public static final String NAMES = Arrays.stream(values()).map(EventFormat::text)
            .collect(Collectors.joining("|"));

    private final String text;

    EventFormat(String text) {
        this.text = text;
    }

    /** The format's name: {@code cloudevents} or {@code ocsf}. */
    public String text() {
        return text;
    }

    /**
     * The format named {@code text}, exactly as {@link #text()} writes it.
     *
     * @throws IllegalArgumentException for any other text, naming the formats there are
     */
    public static EventFormat parse(String text) {
        for (EventFormat f : values()) {
            if (f.text.equals(text)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + text + "': use " + NAMES);
    }

    /** The body that writes this format's {@code data} for one cell's events. */
    EventBody body(CellJson cell) {
        return switch (this) {
            case CLOUDEVENTS -> new ReceiverJsonBody(cell);
            case OCSF -> new OcsfBody(cell);
        };
    }
}
