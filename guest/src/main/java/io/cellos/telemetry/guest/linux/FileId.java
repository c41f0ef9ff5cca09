package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The identity by which fanotify names a file in its file-id records: the filesystem's
 * {@code fsid} and the file's handle, in the layout those records carry after their header —
 * 8 bytes of {@code __kernel_fsid_t}, then {@code struct file_handle} (u32 handle_bytes,
 * s32 handle_type, the handle).
 *
 * <p>Taken from {@code statfs(2)} and {@code name_to_handle_at(2)} on a path, it lets a reader
 * recognise the objects it marked in events without opening anything: no fd, no
 * {@code open_by_handle_at} and no {@code CAP_DAC_READ_SEARCH}.
 *
 * <p>Immutable; its bytes live in the arena given to {@link #of}, and are valid while it is open.
 */
public final class FileId {
    static final int FSID_BYTES = 8;
    static final int HANDLE_HEADER_BYTES = 8;
    private static final int MAX_HANDLE_SZ = 128;
    private static final int AT_HANDLE_FID = 0x200;
    private static final int AT_SYMLINK_FOLLOW = 0x400;
    /** {@code sizeof(struct statfs)} and {@code offsetof(struct statfs, f_fsid)} on x86-64. */
    private static final int STATFS_BYTES = 120;
    private static final int STATFS_FSID_OFFSET = 56;

    private static final Syscall STATFS = new Syscall("statfs");
    private static final Syscall NAME_TO_HANDLE_AT = new Syscall("name_to_handle_at");

    private final MemorySegment bytes;

    private FileId(MemorySegment bytes) {
        this.bytes = bytes;
    }

    /**
     * The identity of the object at {@code path}, following symbolic links as {@code fanotify_mark}
     * does.
     *
     * @throws ErrnoException naming {@code statfs} or {@code name_to_handle_at}, the path and the errno
     */
    public static FileId of(Arena arena, String path) throws ErrnoException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment cpath = scratch.allocateFrom(path);
            MemorySegment statfs = scratch.allocate(STATFS_BYTES, 8);
            STATFS.call(path, cpath, statfs);
            MemorySegment handle = scratch.allocate(HANDLE_HEADER_BYTES + MAX_HANDLE_SZ, 8);
            MemorySegment mountId = scratch.allocate(JAVA_INT);
            // AT_HANDLE_FID (Linux 6.5) asks for the encoding fanotify reports, which exists even on a
            // filesystem that cannot export handles. Older kernels refuse the flag; there, fanotify only
            // reports file ids for exportable filesystems, whose plain handles are the same bytes.
            long rc = handleAt(cpath, handle, mountId, AT_SYMLINK_FOLLOW | AT_HANDLE_FID);
            if (rc == -Errno.EINVAL) {
                rc = handleAt(cpath, handle, mountId, AT_SYMLINK_FOLLOW);
            }
            if (rc < 0) {
                throw new ErrnoException(NAME_TO_HANDLE_AT.name() + "(" + path + ")", (int) -rc);
            }
            int handleBytes = handle.get(JAVA_INT, 0);
            MemorySegment id = arena.allocate(FSID_BYTES + HANDLE_HEADER_BYTES + handleBytes);
            MemorySegment.copy(statfs, STATFS_FSID_OFFSET, id, 0, FSID_BYTES);
            MemorySegment.copy(handle, 0, id, FSID_BYTES, HANDLE_HEADER_BYTES + handleBytes);
            return new FileId(id);
        }
    }

    private static long handleAt(MemorySegment cpath, MemorySegment handle, MemorySegment mountId, int flags) {
        handle.set(JAVA_INT, 0, MAX_HANDLE_SZ);
        return NAME_TO_HANDLE_AT.callOrErrno(Libc.AT_FDCWD, cpath, handle, mountId, flags);
    }

    /** Whether the {@code length} bytes at {@code offset} in {@code buf} are this identity. */
    public boolean matches(MemorySegment buf, long offset, long length) {
        return length == bytes.byteSize()
                && MemorySegment.mismatch(bytes, 0, length, buf, offset, offset + length) == -1;
    }
}
