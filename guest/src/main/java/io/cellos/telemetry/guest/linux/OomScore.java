package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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

    /**
     * Sets it.
     *
     * @return false if the kernel refused it for want of {@code CAP_SYS_RESOURCE} (a lower score
     *         than the process is allowed); true once set
     * @throws IOException for any other failure
     */
    public static boolean trySet(String pid, int value) throws IOException {
        try {
            Files.writeString(Path.of("/proc", pid, "oom_score_adj"), Integer.toString(value), StandardOpenOption.WRITE);
            return true;
        } catch (AccessDeniedException e) {
            return false;
        } catch (IOException e) {
            if ("Permission denied".equals(e.getMessage())) {
                return false; // the write's EACCES, which the JDK reports without a path
            }
            throw e;
        }
    }
}
