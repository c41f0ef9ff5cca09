package io.cellos.telemetry.guest.exec;

import io.cellos.telemetry.guest.linux.FileStat;

/**
 * What makes a file's content the same as when it was last hashed, without reading it: the file
 * (device, inode), its size and its change time. Writing to a file changes its ctime, so a binary
 * rewritten in place gets a new key; a binary run many times keeps one.
 *
 * <p>{@code device} is numbered as {@code stat(2)} numbers it ({@code st_dev}). A key is made from
 * a {@code stat} of the file ({@link #of}) or from the kernel's own inode as an eBPF program read it
 * at the exec ({@link #ofKernelInode}); the two are equal for the same unchanged file on file
 * systems whose {@code stat} reports the inode's own device and number (ext4, xfs, tmpfs, …), and
 * may differ where {@code stat} reports others (btrfs subvolumes; overlayfs with layers on several
 * file systems and no {@code xino}): such a kernel key is then not found in the cache, and its file
 * is looked up as if the kernel had not said.
 */
public record FileKey(long device, long inode, long size, long changeSeconds, long changeNanos) {
    /** The bits of {@code i_ctime_nsec} that can hold nanoseconds (fewer than 10^9 < 2^30). */
    private static final long CTIME_NANOS = 0x3fffffff;

    /** The key of the file {@code stat} last described. */
    static FileKey of(FileStat stat) {
        return new FileKey(stat.device(), stat.inode(), stat.size(), stat.changeSeconds(), stat.changeNanos());
    }

    /**
     * The key of an inode as the kernel holds it: {@code i_sb->s_dev} (the kernel's {@code dev_t},
     * major in the bits above 20, minor below), {@code i_ino}, {@code i_size}, and the change time
     * {@code i_ctime_sec}, {@code i_ctime_nsec} as stored — since Linux 6.13 the latter's top bit flags
     * a change time that was queried (multigrain timestamps), which {@code stat} masks off, and so
     * does this.
     */
    public static FileKey ofKernelInode(long kernelDevice, long inode, long size, long changeSeconds, long changeNanos) {
        return new FileKey(userDevice(kernelDevice), inode, size, changeSeconds, changeNanos & CTIME_NANOS);
    }

    /**
     * The kernel's {@code dev_t} (12-bit major above a 20-bit minor) numbered as {@code stat(2)}
     * gives it: the kernel's {@code new_encode_dev}, minor's low byte, then the major, then the
     * minor's upper bits.
     */
    static long userDevice(long kernelDevice) {
        long major = kernelDevice >>> 20 & 0xfff;
        long minor = kernelDevice & 0xfffff;
        return minor & 0xff | major << 8 | (minor & ~0xffL) << 12;
    }

    /*
     * Written out: a record's generated equals and hashCode go through a chain of method handles,
     * which C1 does not fold; the hasher's cache looks a key up at every exec.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof FileKey k && device == k.device && inode == k.inode && size == k.size
                && changeSeconds == k.changeSeconds && changeNanos == k.changeNanos;
    }

    @Override
    public int hashCode() {
        long h = device;
        h = 31 * h + inode;
        h = 31 * h + size;
        h = 31 * h + changeSeconds;
        h = 31 * h + changeNanos;
        return Long.hashCode(h);
    }

    /** Whether {@code stat} describes this file, unchanged. */
    boolean matches(FileStat stat) {
        return device == stat.device() && inode == stat.inode() && size == stat.size()
                && changeSeconds == stat.changeSeconds() && changeNanos == stat.changeNanos();
    }
}
