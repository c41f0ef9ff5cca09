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

    /** Whether {@code stat} describes this file, unchanged. */
    boolean matches(FileStat stat) {
        return device == stat.device() && inode == stat.inode() && size == stat.size()
                && changeSeconds == stat.changeSeconds() && changeNanos == stat.changeNanos();
    }
}
