package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * The inotify(7) ABI ({@code <linux/inotify.h>}): the flags of {@code inotify_init1}, the event
 * bits, and {@code struct inotify_event}, the record a read returns back to back:
 * <pre>
 *   0  s32 wd       the watch descriptor; -1 with {@link #IN_Q_OVERFLOW}
 *   4  u32 mask     what happened
 *   8  u32 cookie   pairs IN_MOVED_FROM with IN_MOVED_TO
 *  12  u32 len      bytes of name, NUL-padded; 0 for an event on the watched object itself
 *  16  char name[len]
 * </pre>
 *
 * <p>Stateless; the accessors read a segment the caller owns.
 */
public final class Inotify {
    public static final int IN_NONBLOCK = 0x800;
    public static final int IN_CLOEXEC = 0x80000;

    public static final int IN_MODIFY = 0x2;
    public static final int IN_ATTRIB = 0x4;
    public static final int IN_CLOSE_WRITE = 0x8;
    public static final int IN_MOVED_FROM = 0x40;
    public static final int IN_MOVED_TO = 0x80;
    public static final int IN_CREATE = 0x100;
    public static final int IN_DELETE = 0x200;
    public static final int IN_DELETE_SELF = 0x400;
    public static final int IN_MOVE_SELF = 0x800;
    /** The watched object's filesystem was unmounted (an {@link #IN_IGNORED} follows). */
    public static final int IN_UNMOUNT = 0x2000;
    public static final int IN_Q_OVERFLOW = 0x4000;
    /** Adds to the mask of a watch the object already has, instead of replacing it. */
    public static final int IN_MASK_ADD = 0x20000000;
    /** The watch was removed: its object was deleted or its filesystem unmounted. */
    public static final int IN_IGNORED = 0x8000;

    /** {@code sizeof(struct inotify_event)} without the name. */
    public static final int EVENT_BYTES = 16;

    private Inotify() {
    }

    /**
     * Watches the object at {@code path} for {@code mask}, following symbolic links.
     *
     * @return the watch descriptor; the same one again for a path to an object already watched
     * @throws ErrnoException naming {@code inotify_add_watch}, the path and the errno
     */
    public static int addWatch(int inotify, int mask, String path) throws ErrnoException {
        try (Arena scratch = Arena.ofConfined()) {
            return (int) Libc.INOTIFY_ADD_WATCH.call(path, inotify, scratch.allocateFrom(path), mask);
        }
    }

    public static int wd(MemorySegment buf, long event) {
        return buf.get(JAVA_INT_UNALIGNED, event);
    }

    public static int mask(MemorySegment buf, long event) {
        return buf.get(JAVA_INT_UNALIGNED, event + 4);
    }

    public static int nameLength(MemorySegment buf, long event) {
        return buf.get(JAVA_INT_UNALIGNED, event + 12);
    }
}
