package io.cellos.telemetry.guest.probe.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What {@code /proc} says about a test's own processes and threads. */
final class ProcView {
    private ProcView() {
    }

    /**
     * Asserts that process {@code pid} is named {@code comm}: a process {@link ProcessBuilder#start}
     * returned has exec'd its program (the JDK waits for the exec, through a pipe closed on exec).
     */
    static void assertComm(long pid, String comm) throws IOException {
        assertEquals(comm, Files.readString(Path.of("/proc/" + pid + "/comm")).strip(), "the name of process " + pid);
    }

    /** The calling thread's id, from {@code /proc/thread-self} ({@code PID/task/TID}). */
    static int threadId() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
