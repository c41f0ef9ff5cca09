package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A process's {@code /proc/<pid>/oom_score_adj}: how willing the kernel's OOM killer is to pick
 * it, from -1000 (never) to 1000. Raising it needs nothing but write access to the file; lowering
 * it needs {@code CAP_SYS_RESOURCE}.
 */
public final class OomScore {
    /** The OOM killer never picks the process. */
    public static final int NEVER = -1000;

    private OomScore() {
    }

    /** The value of {@code pid} ({@code "self"} for this process), or {@code null} if it is gone. */
    public static Integer read(String pid) throws IOException {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc", pid, "oom_score_adj")).strip());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Sets it. */
    public static void write(String pid, int value) throws IOException {
        Files.writeString(Path.of("/proc", pid, "oom_score_adj"), Integer.toString(value));
    }
}
