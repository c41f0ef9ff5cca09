package io.cellos.telemetry.host.sink.nats;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cloudevents.CloudEvent;

import java.util.regex.Pattern;

/**
 * The NATS subjects events are published on: {@code cellos.events.<cell_id>.<type suffix>}, where
 * the suffix is the event type without {@code cell.observability.guest.} ({@code process.spawned},
 * {@code telemetry.dropped}, {@code agent_silenced}). A consumer picks one cell with
 * {@code cellos.events.<cell_id>.>} and one kind of event with {@code cellos.events.*.<suffix>}.
 */
public final class Subjects {
    /** The subject prefix; the stream the sink creates takes {@code cellos.events.>}. */
    public static final String PREFIX = "cellos.events";
    public static final String ALL = PREFIX + ".>";
    private static final String CELL_URN = "urn:cellos:cell:";
    private static final Pattern SUFFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private Subjects() {
    }

    /**
     * The subject for {@code event}.
     *
     * @throws IllegalArgumentException if its source is not a cell's or its type is not one of the
     *                                  project's, which the receiver never makes
     */
    public static String of(CloudEvent event) {
        String source = event.getSource().toString();
        if (!source.startsWith(CELL_URN) || !CellStamp.isCellId(source.substring(CELL_URN.length()))) {
            throw new IllegalArgumentException("event " + event.getId() + " has source " + source
                    + ", not " + CELL_URN + "<cell id>");
        }
        return PREFIX + "." + source.substring(CELL_URN.length()) + "." + suffix(event.getType());
    }

    /** The cell an event's subject names. */
    public static String cellOf(String subject) {
        int start = PREFIX.length() + 1;
        return subject.substring(start, subject.indexOf('.', start));
    }

    /**
     * The subject filter for a cell (or every cell, {@code null}) and a type (or every type,
     * {@code null}); the type may be given whole or as its suffix.
     *
     * @throws IllegalArgumentException if the cell id or type cannot be part of a subject
     */
    public static String filter(String cellId, String type) {
        if (cellId != null && !CellStamp.isCellId(cellId)) {
            throw new IllegalArgumentException("cell id '" + cellId + "' is not [A-Za-z0-9_-]{1,128}");
        }
        String cell = cellId == null ? "*" : cellId;
        if (type == null) {
            return PREFIX + "." + cell + ".>";
        }
        return PREFIX + "." + cell + "." + suffix(type.startsWith(EventProjector.TYPE_PREFIX) ? type
                : EventProjector.TYPE_PREFIX + type);
    }

    private static String suffix(String type) {
        String suffix = type.startsWith(EventProjector.TYPE_PREFIX) ? type.substring(EventProjector.TYPE_PREFIX.length()) : null;
        if (suffix == null || !SUFFIX.matcher(suffix).matches()) {
            throw new IllegalArgumentException("event type '" + type + "' is not " + EventProjector.TYPE_PREFIX
                    + "<kind>, with dot-separated [A-Za-z0-9_-] words");
        }
        return suffix;
    }
}
