package io.cellos.telemetry.host.sink.nats;

import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;

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
    private static final Pattern SUFFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private Subjects() {
    }

    /**
     * The subject for {@code event}: its cell from its stamp, its kind from its facts. Both are
     * subject tokens by construction ({@link CellStamp}'s cell id, the project's own type names), so
     * nothing is checked or parsed per event.
     */
    public static String of(CellEvent event) {
        return PREFIX + "." + event.stamp().cellId() + "." + event.facts().typeSuffix();
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
