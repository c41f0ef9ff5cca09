package io.cellos.telemetry.guest.exec;

import io.cellos.telemetry.guest.linux.FileStat;

/**
 * What makes a file's content the same as when it was last hashed, without reading it: the file
 * (device, inode), its size and its change time. Writing to a file changes its ctime, so a binary
 * rewritten in place gets a new key; a binary run many times keeps one.
 */
record FileKey(long device, long inode, long size, long changeSeconds, long changeNanos) {

    /** The key of the file {@code stat} last described. */
    static FileKey of(FileStat stat) {
        return new FileKey(stat.device(), stat.inode(), stat.size(), stat.changeSeconds(), stat.changeNanos());
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
