package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * What an open descriptor of this process refers to, as the kernel names it: the target of the
 * {@code /proc/self/fd/N} link ({@code /tmp/w/out.txt}, {@code /tmp/w/gone (deleted)},
 * {@code anon_inode:[fanotify]}).
 *
 * <p>Confined to one thread; owns its native buffers, not the descriptors it is asked about.
 */
public final class ProcSelfFd implements AutoCloseable {
    private static final String LINK_PREFIX = "/proc/self/fd/";
    /** {@code PATH_MAX}: the kernel never names a path longer, so a target this long is cut short. */
    private static final int PATH_MAX = 4096;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment link = arena.allocate(LINK_PREFIX.length() + 16);
    private final MemorySegment target = arena.allocate(PATH_MAX);

    /**
     * The target of {@code fd}'s link.
     *
     * @throws ErrnoException naming {@code readlink}, the link and the errno ({@code ENOENT} when
     *                        {@code /proc} is not mounted or {@code fd} is not open)
     */
    public String target(int fd) throws ErrnoException {
        link.setString(0, LINK_PREFIX + fd);
        long n = Libc.READLINK.call(LINK_PREFIX + fd, link, target, (long) PATH_MAX);
        // readlink(2) does not terminate the target
        return new String(target.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        arena.close();
    }
}
