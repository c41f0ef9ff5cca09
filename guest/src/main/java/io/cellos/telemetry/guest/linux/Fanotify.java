package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The fanotify(7) ABI ({@code <linux/fanotify.h>}, x86-64): the flags of {@code fanotify_init} and
 * {@code fanotify_mark}, the event bits, and the records a read returns.
 *
 * <p>A read returns whole events back to back. Each starts with {@code struct
 * fanotify_event_metadata} (24 bytes):
 * <pre>
 *   0  u32 event_len      this event with its info records; the offset to the next event
 *   4  u8  vers           {@link #METADATA_VERSION}
 *   5  u8  reserved
 *   6  u16 metadata_len   24; info records follow at this offset
 *   8  u64 mask           what happened
 *  16  s32 fd             an open fd on the object ({@link #NOFD} in file-id mode); the reader owns it
 *  20  s32 pid            the process (thread-group leader) that caused the event
 * </pre>
 * In file-id mode, info records follow: {@code struct fanotify_event_info_header} (u8 type, u8 pad,
 * u16 len), then for the file-id types {@code __kernel_fsid_t fsid} (8 bytes) and a {@code struct
 * file_handle} (u32 handle_bytes, s32 handle_type, the handle), and for
 * {@link #INFO_TYPE_DFID_NAME} the entry's NUL-terminated name after the handle.
 *
 * <p>Stateless; the accessors read a segment the caller owns.
 */
public final class Fanotify {
    // fanotify_init flags
    public static final int FAN_CLOEXEC = 0x1;
    public static final int FAN_NONBLOCK = 0x2;
    public static final int FAN_CLASS_NOTIF = 0x0;
    public static final int FAN_REPORT_FID = 0x200;
    public static final int FAN_REPORT_DIR_FID = 0x400;
    public static final int FAN_REPORT_NAME = 0x800;
    public static final int FAN_REPORT_DFID_NAME = FAN_REPORT_DIR_FID | FAN_REPORT_NAME;

    // fanotify_mark flags
    public static final int FAN_MARK_ADD = 0x1;

    // event bits
    public static final long FAN_MODIFY = 0x2;
    public static final long FAN_ATTRIB = 0x4;
    public static final long FAN_CLOSE_WRITE = 0x8;
    public static final long FAN_MOVED_FROM = 0x40;
    public static final long FAN_MOVED_TO = 0x80;
    public static final long FAN_CREATE = 0x100;
    public static final long FAN_DELETE = 0x200;
    public static final long FAN_DELETE_SELF = 0x400;
    public static final long FAN_MOVE_SELF = 0x800;
    public static final long FAN_Q_OVERFLOW = 0x4000;
    public static final long FAN_EVENT_ON_CHILD = 0x08000000;
    public static final long FAN_ONDIR = 0x40000000;

    /** The {@code vers} this layout describes. */
    public static final int METADATA_VERSION = 3;
    /** {@code FAN_EVENT_METADATA_LEN}. */
    public static final int METADATA_BYTES = 24;
    /** {@code FAN_NOFD}: the event carries no fd. */
    public static final int NOFD = -1;

    public static final int INFO_TYPE_FID = 1;
    public static final int INFO_TYPE_DFID_NAME = 2;
    public static final int INFO_TYPE_DFID = 3;
    /** The header of an info record: type, pad, length. */
    public static final int INFO_HEADER_BYTES = 4;
    /** Where, in a file-id info record, the object's {@link FileId identity} (fsid, then the file handle) starts. */
    public static final int INFO_FID_IDENTITY_OFFSET = INFO_HEADER_BYTES;


    private Fanotify() {
    }

    /**
     * Adds {@code mask} to the group's mark on the object at {@code path}, following symbolic links.
     *
     * @throws ErrnoException naming {@code fanotify_mark}, the path and the errno
     */
    public static void markAdd(int group, long mask, String path) throws ErrnoException {
        try (Arena scratch = Arena.ofConfined()) {
            Libc.FANOTIFY_MARK.call(path, group, FAN_MARK_ADD, mask, Libc.AT_FDCWD, scratch.allocateFrom(path));
        }
    }

    public static int eventLength(MemorySegment buf, long event) {
        return buf.get(JAVA_INT_UNALIGNED, event);
    }

    public static int version(MemorySegment buf, long event) {
        return Byte.toUnsignedInt(buf.get(JAVA_BYTE, event + 4));
    }

    public static int metadataLength(MemorySegment buf, long event) {
        return Short.toUnsignedInt(buf.get(JAVA_SHORT_UNALIGNED, event + 6));
    }

    public static long mask(MemorySegment buf, long event) {
        return buf.get(JAVA_LONG_UNALIGNED, event + 8);
    }

    public static int fd(MemorySegment buf, long event) {
        return buf.get(JAVA_INT_UNALIGNED, event + 16);
    }

    public static int pid(MemorySegment buf, long event) {
        return buf.get(JAVA_INT_UNALIGNED, event + 20);
    }

    public static int infoType(MemorySegment buf, long info) {
        return Byte.toUnsignedInt(buf.get(JAVA_BYTE, info));
    }

    public static int infoLength(MemorySegment buf, long info) {
        return Short.toUnsignedInt(buf.get(JAVA_SHORT_UNALIGNED, info + 2));
    }

    /** The length of the identity in the file-id record at {@code info}: fsid, handle header and handle. */
    public static int identityLength(MemorySegment buf, long info) {
        return FileId.FSID_BYTES + FileId.HANDLE_HEADER_BYTES
                + buf.get(JAVA_INT_UNALIGNED, info + INFO_FID_IDENTITY_OFFSET + FileId.FSID_BYTES);
    }
}
