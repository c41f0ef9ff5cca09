package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code /proc/thread-self/status} says of the calling thread: its effective uid and the
 * signals it blocks. Read as a file, with no native call, so that init can decide how to start
 * before it pays for its first one.
 *
 * @param effectiveUid the second of the {@code Uid:} line's four ids
 * @param blocked      the {@code SigBlk:} mask, bit {@code n - 1} for signal {@code n}
 */
public record ThreadStatus(int effectiveUid, long blocked) {
    /** The calling thread's. */
    public static ThreadStatus ofThisThread() throws IOException {
        return parse(Files.readString(Path.of("/proc/thread-self/status")));
    }

    /**
     * @throws IOException naming the line that is missing or malformed
     */
    static ThreadStatus parse(String status) throws IOException {
        String uid = field(status, "Uid:");
        String[] ids = uid.split("\\s+");
        String mask = field(status, "SigBlk:");
        try {
            return new ThreadStatus(Integer.parseInt(ids[1]), Long.parseUnsignedLong(mask, 16));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IOException("/proc/thread-self/status: cannot read Uid: '" + uid + "' or SigBlk: '" + mask + "'");
        }
    }

    private static String field(String status, String key) throws IOException {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                return line.substring(key.length()).strip();
            }
        }
        throw new IOException("/proc/thread-self/status has no " + key + " line");
    }

    /** Whether the thread blocks {@code signal} (1 to 64). */
    public boolean blocks(int signal) {
        return (blocked & Signals.bit(signal)) != 0;
    }
}
