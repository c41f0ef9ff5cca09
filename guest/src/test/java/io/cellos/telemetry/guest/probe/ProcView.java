package io.cellos.telemetry.guest.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What {@code /proc} says about a test's own processes and threads. */
final class ProcView {
    private ProcView() {
    }

    /** Waits until process {@code pid} is named {@code comm} (it has exec'd its program). */
    static void awaitComm(long pid, String comm, Duration patience) throws IOException, InterruptedException {
        Path file = Path.of("/proc/" + pid + "/comm");
        long deadline = System.nanoTime() + patience.toNanos();
        while (!Files.readString(file).strip().equals(comm)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + " was not named " + comm + " within " + patience);
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
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
