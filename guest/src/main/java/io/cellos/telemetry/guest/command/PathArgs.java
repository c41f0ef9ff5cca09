package io.cellos.telemetry.guest.command;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks of command-line values that name paths, made before a command starts anything, so that a
 * path of the wrong kind is a usage error naming the option, the value and what to give instead,
 * never an I/O exception half-way through a run.
 *
 * <p>Each check sees the file system as it is when it runs; the command still handles the errors
 * of what it does later.
 */
public final class PathArgs {
    private PathArgs() {
    }

    /**
     * The value as an absolute, normalised path: relative to the working directory, {@code .} and
     * {@code ..} removed by name (as {@code realpath -s} does). Symbolic links are not resolved.
     *
     * @throws IllegalArgumentException if the value is no path (it holds a NUL)
     */
    public static Path absolute(String value) {
        return Path.of(value).toAbsolutePath().normalize();
    }

    /** Each of {@code values} {@link #absolute}, as text, in order. */
    public static List<String> absolute(List<String> values) {
        List<String> paths = new ArrayList<>(values.size());
        for (String v : values) {
            paths.add(absolute(v).toString());
        }
        return paths;
    }

    /**
     * A directory the command works in, made (with its missing parents) if it is not there.
     * Call it last among a command's checks: it is the one that changes something.
     *
     * @param option the option as the user wrote it ({@code --dir}), for the message
     * @return the directory, {@link #absolute}
     */
    public static Path directory(Args a, String option, String value) throws UsageException {
        Path p = absolute(value);
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw a.usage(option + " " + value + " is " + kind(p) + ", not a directory; give a directory (it is made "
                    + "if missing)");
        }
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw a.usage(option + " " + value + " cannot be made: " + reason(e) + "; give a directory you can write in");
        }
    }

    /**
     * A file the command reads: it must exist and not be a directory.
     *
     * @param what the option ({@code --key-file}) or the argument's name ({@code FILE}), for the message
     */
    public static Path fileToRead(Args a, String what, String value) throws UsageException {
        Path p = Path.of(value);
        if (!Files.exists(p)) {
            throw a.usage(what + " " + value + ": no such file");
        }
        if (Files.isDirectory(p)) {
            throw a.usage(what + " " + value + " is a directory; give a file");
        }
        return p;
    }

    /**
     * A file the command writes or appends to, made with its missing parents if it is not there:
     * neither it nor the nearest of its parents that exists may be of the wrong kind.
     *
     * @param what the option ({@code --out}), for the message
     */
    public static Path fileToWrite(Args a, String what, String value) throws UsageException {
        Path p = absolute(value);
        if (Files.isDirectory(p)) {
            throw a.usage(what + " " + value + " is a directory; give a file, e.g. " + p.resolve("events.jsonl"));
        }
        if (Files.exists(p)) {
            if (!Files.isWritable(p)) {
                throw a.usage(what + " " + value + " is not writable; give a file you can write");
            }
            return p;
        }
        Path parent = p.getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent != null && !Files.isDirectory(parent)) {
            throw a.usage(what + " " + value + " cannot be made: " + parent + " is " + kind(parent)
                    + ", not a directory");
        }
        return p;
    }

    /** A FIFO (named pipe) that is there already, as {@code mkfifo} makes it. */
    public static Path fifo(Args a, String option, String value) throws UsageException {
        Path p = Path.of(value);
        String kind = kind(p);
        if (!kind.equals("a FIFO")) {
            throw a.usage(option + " " + value + " is " + kind + ", not a FIFO; give a FIFO made with mkfifo");
        }
        return p;
    }

    /** What is at {@code p} (after symbolic links), in words. */
    private static String kind(Path p) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(p, "unix:mode");
        } catch (IOException e) {
            return Files.isSymbolicLink(p) ? "a dangling symbolic link" : "missing";
        }
        return switch (mode & 0170000) {
            case 0040000 -> "a directory";
            case 0100000 -> "a regular file";
            case 0010000 -> "a FIFO";
            case 0140000 -> "a socket";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "a special file";
        };
    }

    private static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> n.getFile() + " does not exist";
            case AccessDeniedException d -> d.getFile() + ": permission denied";
            case FileSystemException f when f.getReason() != null -> f.getFile() + ": " + f.getReason();
            case FileSystemException f -> f.getFile() + " is in the way";
            default -> e.getMessage();
        };
    }
}
