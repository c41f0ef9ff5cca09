package io.cellos.telemetry.guest.probe.file;

import java.nio.file.Path;

/** A burst of file creations by one real process, {@code sh}, whose builtins do the work without forking. */
final class FileStorm {
    private FileStorm() {
    }

    /**
     * Creates (opens for writing, then closes) {@code dir/f0} to {@code dir/f<count-1>} and waits
     * until the writer has exited.
     */
    static void create(Path dir, int count) throws Exception {
        Process sh = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt $2 ]; do : > \"$1/f$i\"; i=$((i+1)); done",
                "sh", dir.toString(), Integer.toString(count)).inheritIO().start();
        if (sh.waitFor() != 0) {
            throw new IllegalStateException("sh creating " + count + " files in " + dir + " exited with " + sh.exitValue());
        }
    }
}
