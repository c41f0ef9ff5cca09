package io.cellos.telemetry.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An event log file (one event per line) opened for appending, with what it held before: a run
 * never truncates the evidence an earlier run left there, and says at which line its own begin.
 *
 * <p>The lines are counted when the file is opened; another process appending to it at the same
 * time would make the count wrong, and nothing here keeps one out.
 *
 * @param stream      the file, open for appending; the caller owns it and closes it
 * @param path        the file
 * @param linesBefore the lines it held before, an unfinished last one included; 0 for a file that
 *                    was not there, and for one that is not a regular file (a FIFO, a device)
 * @param lineEnded   whether its unfinished last line was ended with a line break, so that this
 *                    run's events start on a line of their own
 */
record EventLogFile(OutputStream stream, Path path, long linesBefore, boolean lineEnded) {
    /** Opens {@code path} for appending, making it and its missing directories if needed. */
    static EventLogFile open(Path path) throws IOException {
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        long lines = 0;
        boolean unfinished = false;
        if (Files.isRegularFile(path)) {
            try (InputStream in = Files.newInputStream(path)) {
                byte[] buf = new byte[1 << 16];
                for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                    for (int i = 0; i < n; i++) {
                        lines += buf[i] == '\n' ? 1 : 0;
                    }
                    unfinished = buf[n - 1] != '\n';
                }
            }
        }
        OutputStream out = new FileOutputStream(path.toFile(), true);
        if (unfinished) {
            out.write('\n');
            lines++;
        }
        return new EventLogFile(out, path, lines, unfinished);
    }

    /** The file, and, when it held lines before, how many and where this run's events start. */
    String describe() {
        if (linesBefore == 0) {
            return path.toString();
        }
        return path + " (appended to: it already held " + linesBefore + (linesBefore == 1 ? " line" : " lines")
                + (lineEnded ? ", the last one unfinished, which a line break now ends" : "")
                + "; this run's events start at line " + (linesBefore + 1) + ")";
    }
}
