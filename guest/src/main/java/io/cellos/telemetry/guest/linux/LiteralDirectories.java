package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Makes the directories of a path as the kernel walks it: from the calling thread's root, one
 * component at a time, taking the path's bytes as they are — {@code .} and {@code ..} too, and no
 * character set: {@code /a/../b} needs {@code /a} to exist as well as {@code /b}, which a path
 * library that simplifies it, or decodes it, would not make. Each directory is made and opened
 * relative to the one before ({@code mkdirat}, {@code openat}), so the cost grows with the depth.
 */
public final class LiteralDirectories {
    private static final Syscall MKDIRAT = new Syscall("mkdirat");

    private LiteralDirectories() {
    }

    /**
     * Makes every directory on the way to the last component of {@code path} (an absolute path's
     * bytes), that component excluded; those that exist are kept.
     *
     * @throws ErrnoException if one cannot be made or entered
     */
    public static void makeParents(byte[] path) throws ErrnoException {
        int end = path.length;
        while (end > 0 && path[end - 1] == '/') {
            end--;
        }
        int last = end - 1;
        while (last >= 0 && path[last] != '/') {
            last--;
        }
        try (Arena arena = Arena.ofConfined()) {
            int dir = (int) Libc.OPENAT.call("/", Libc.AT_FDCWD, arena.allocateFrom("/"),
                    OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
            try {
                int from = 0;
                while (from < last) {
                    int to = from;
                    while (to < last && path[to] != '/') {
                        to++;
                    }
                    if (to > from) {
                        dir = enter(arena, dir, Arrays.copyOfRange(path, from, to));
                    }
                    from = to + 1;
                }
            } finally {
                Libc.CLOSE.callOrErrno(dir);
            }
        }
    }

    /** Makes {@code name} in {@code dir} if it is not there, opens it, and closes {@code dir}. */
    private static int enter(Arena arena, int dir, byte[] name) throws ErrnoException {
        MemorySegment c = arena.allocate(name.length + 1L);
        MemorySegment.copy(name, 0, c, JAVA_BYTE, 0, name.length);
        long made = MKDIRAT.callOrErrno(dir, c, 0700);
        if (made < 0 && made != -Errno.EEXIST) {
            throw new ErrnoException("mkdirat(" + new String(name, StandardCharsets.UTF_8) + ")", (int) -made);
        }
        long next = Libc.OPENAT.callOrErrno(dir, c, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
        if (next < 0) {
            throw new ErrnoException("openat(" + new String(name, StandardCharsets.UTF_8) + ")", (int) -next);
        }
        Libc.CLOSE.callOrErrno(dir);
        return (int) next;
    }
}
