package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.host.receiver.ListenerPath;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A local cell's directory: {@code --dir}, or one this command makes under the temporary directory.
 * One cell at a time: a directory whose receiver still listens is refused, while the sockets and
 * hold FIFO of a cell that died ({@code kill -9}) are replaced by the next.
 *
 * <p>What stays at the end: the sockets and the hold FIFO are removed by {@link LocalCell}, and what
 * a command wrote there only to run the cell (the demo's script and watched directory) by that
 * command; the event log stays wherever it is. A directory the command made itself is then removed
 * if nothing is left in it (the events went to {@code --out} elsewhere), so that only directories
 * holding an event log accumulate under the temporary directory; a {@code --dir} given is never
 * removed. After a {@code kill -9} nothing is removed.
 *
 * @param path the directory, absolute
 * @param made whether this command made it, and so may remove it
 */
record CellDirectory(Path path, boolean made) {
    /** {@code sun_path} holds 108 bytes, the terminating NUL included. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    /**
     * The directory {@code --dir} names, made if missing, or a new one under the temporary directory
     * named {@code prefix...}. Call it after every other check of the command line: it makes the directory.
     *
     * @throws UsageException if {@code --dir} is not a directory, cannot be made, or is a live cell's
     */
    static CellDirectory of(Args a, String prefix) throws UsageException, IOException {
        String given = a.value("dir");
        if (given == null) {
            return new CellDirectory(Files.createTempDirectory(prefix), true);
        }
        Path telemetry = Receiver.listenerPath(PathArgs.absolute(given).resolve(LocalCell.SOCKET_BASE),
                Wire.VSOCK_TELEMETRY_PORT);
        int bytes = telemetry.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            throw a.usage("--dir " + given + " is too long for the cell's sockets: " + telemetry + " is " + bytes
                    + " bytes, a UNIX socket's path at most " + MAX_SOCKET_PATH_BYTES + "; give a shorter --dir");
        }
        Path dir = PathArgs.directory(a, "--dir", given);
        if (ListenerPath.isServed(telemetry)) {
            throw a.usage("--dir " + given + " is in use by a running cell: a receiver listens on " + telemetry
                    + "; stop that cell, or give another --dir");
        }
        return new CellDirectory(dir, false);
    }

    /** Removes the directory if this command made it and nothing is left in it; else leaves it as it is. */
    void removeIfMadeAndEmpty() throws IOException {
        if (made) {
            try {
                Files.delete(path);
            } catch (DirectoryNotEmptyException e) {
                // it holds the event log, or something a person put there: it stays
            }
        }
    }
}
