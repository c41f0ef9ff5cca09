package io.cellos.telemetry.host.receiver;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The path a UNIX-socket listener binds, made free for it: a socket file left by a listener that
 * is gone is replaced; a live listener's is never taken, and neither is any other kind of file.
 *
 * <p>Whether a listener is live is read from the kernel's own table of UNIX sockets,
 * {@code /proc/net/unix}, which lists every listening socket with the path it was bound to. This
 * touches no listener: a probe that connects would be counted by the live one as a guest
 * connection and would wake its accept loop. It needs nothing from the listener either (it works
 * for any program, not only ours), and, unlike a lock file held by the listener, leaves nothing
 * behind to clean up after a {@code kill -9}. Its limits, all on the side of refusing: the table
 * is per network namespace (a listener in another one is not seen, and its socket file would be
 * taken for stale), and a listener bound by a relative path, or whose file was unlinked and made
 * again by someone else, is matched by the path's name only.
 *
 * <p>Stateless; thread-safe. A bind can still lose a race with another process between the check
 * and the bind: the bind then fails with {@code EADDRINUSE}, which its caller reports.
 */
public final class ListenerPath {
    private static final Path TABLE = Path.of("/proc/net/unix");
    /** {@code __SO_ACCEPTCON} in the table's Flags column: the socket is listening. */
    private static final int LISTENING = 0x10000;
    /** Num, RefCount, Protocol, Flags, Type, St, Inode, then the path (which may hold spaces). */
    private static final int COLUMNS = 8;

    private ListenerPath() {
    }

    /**
     * Makes {@code path} free for a listener's bind: its directory must exist; a socket file no
     * listener serves is removed.
     *
     * @throws IOException whose message says what is in the way: a missing directory, a file that
     *                     is not a socket, or a live listener
     */
    public static void claim(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("directory " + parent + " does not exist");
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isOther()) {
            throw new IOException("a file that is not a socket is in the way");
        }
        if (isServed(path)) {
            throw new IOException("another listener is serving it (stop it, or choose another path)");
        }
        Files.delete(path); // a socket left by a listener that is gone
    }

    /** Whether a socket in this network namespace listens at {@code path}, by the kernel's table. */
    public static boolean isServed(Path path) throws IOException {
        Path target = path.toAbsolutePath().normalize();
        String name = target.getFileName().toString();
        try (BufferedReader r = Files.newBufferedReader(TABLE, StandardCharsets.UTF_8)) {
            r.readLine(); // the header
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] c = line.split("\\s+", COLUMNS);
                if (c.length == COLUMNS && (Integer.parseInt(c[3], 16) & LISTENING) != 0
                        && names(c[COLUMNS - 1], target, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a listener bound to {@code bound} listens at {@code target}, the same name or the same file. */
    private static boolean names(String bound, Path target, String name) {
        if (!bound.endsWith("/" + name) && !bound.equals(name)) {
            return false;
        }
        if (bound.equals(target.toString()) || !bound.startsWith("/")) {
            return true;
        }
        try {
            return Files.isSameFile(Path.of(bound), target);
        } catch (IOException e) {
            return false; // its file is gone: it does not serve ours
        }
    }
}
