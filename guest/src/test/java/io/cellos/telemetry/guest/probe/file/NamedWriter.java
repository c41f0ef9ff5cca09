package io.cellos.telemetry.guest.probe.file;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A real process with a name of its own, {@value #COMM} (a copy of {@code tee(1)}), that appends
 * each line it is given to one file: a writer whose pid and comm a test knows. It opens the file
 * when it starts and writes only when given a line, so a test controls when its changes happen.
 */
final class NamedWriter implements AutoCloseable {
    static final String COMM = "writer-proc";

    private final Process process;

    /** Installs the executable in {@code dir}; the comm of a process is its executable's name. */
    static Path install(Path dir) throws IOException {
        Path exe = dir.resolve(COMM);
        Files.copy(Path.of("/usr/bin/tee"), exe);
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        return exe;
    }

    /** Starts {@code exe} appending to {@code target}, which it creates if need be. */
    NamedWriter(Path exe, Path target) throws IOException {
        process = new ProcessBuilder(exe.toString(), "-a", target.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    long pid() {
        return process.pid();
    }

    /** Gives it a line to append (written once the process reads it). */
    void write(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Ends its input and waits for it to exit. */
    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        int status;
        try {
            status = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + COMM + " (pid " + process.pid() + ") to exit");
        }
        if (status != 0) {
            throw new IllegalStateException(COMM + " exited with " + status);
        }
    }
}
