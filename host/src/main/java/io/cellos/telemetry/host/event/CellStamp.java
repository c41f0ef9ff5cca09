package io.cellos.telemetry.host.event;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The attribution the host stamps on every event of one cell's run. Given when the cell's
 * listener is bound and the only source of these fields: nothing a guest sends can set them.
 *
 * <p>Identifiers are restricted to characters that are safe in a URI, a file name and a NATS
 * subject token, so that no stamp can inject structure into any of them.
 *
 * @param cellId            the cell: {@code [A-Za-z0-9_-]}, 1–128 characters
 * @param runId             this run of the cell: {@code [A-Za-z0-9._:-]}, 1–128 characters
 * @param specSignatureHash the hash of the cell's signed spec, or {@code null}:
 *                          {@code [A-Za-z0-9:+/=._-]}, 1–256 characters
 */
public record CellStamp(String cellId, String runId, String specSignatureHash) {
    private static final Pattern CELL_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9:+/=._-]{1,256}");

    public CellStamp {
        check("cell id", cellId, CELL_ID, "letters, digits, '_' and '-', 1 to 128 of them");
        check("run id", runId, RUN_ID, "letters, digits, '.', '_', ':' and '-', 1 to 128 of them");
        if (specSignatureHash != null) {
            check("spec signature hash", specSignatureHash, HASH,
                    "letters, digits and ':+/=._-', 1 to 256 of them");
        }
    }

    /** Whether {@code id} is a valid cell id, {@code [A-Za-z0-9_-]{1,128}}: it names sockets and NATS subjects. */
    public static boolean isCellId(String id) {
        return id != null && CELL_ID.matcher(id).matches();
    }

    private static void check(String what, String value, Pattern p, String allowed) {
        Objects.requireNonNull(value, what);
        if (!p.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + what + " '" + value + "': use " + allowed);
        }
    }
}
