package io.cellos.telemetry.guest.probe.file;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Inotify;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.cellos.telemetry.guest.linux.Inotify.IN_ATTRIB;
import static io.cellos.telemetry.guest.linux.Inotify.IN_CLOSE_WRITE;
import static io.cellos.telemetry.guest.linux.Inotify.IN_CREATE;
import static io.cellos.telemetry.guest.linux.Inotify.IN_DELETE;
import static io.cellos.telemetry.guest.linux.Inotify.IN_DELETE_SELF;
import static io.cellos.telemetry.guest.linux.Inotify.IN_MODIFY;
import static io.cellos.telemetry.guest.linux.Inotify.IN_MOVED_FROM;
import static io.cellos.telemetry.guest.linux.Inotify.IN_MOVED_TO;
import static io.cellos.telemetry.guest.linux.Inotify.IN_MOVE_SELF;

/**
 * Declared file watches through one inotify instance: the fallback when fanotify cannot be armed.
 *
 * <p>One watch per declared path, for the changes {@link FanotifyWatchProbe} sees in file-id mode:
 * content modified, written file closed, attributes, entries created, deleted or moved in or out
 * of a declared directory (not deeper), the declared object itself deleted or moved. Each record
 * read becomes one event whose {@code path} is the declared path, plus the entry's name for an
 * entry of a declared directory. (The reference agent sent one bare event per {@code read}, however
 * many records it returned, and no path.)
 *
 * <p>inotify does not say who made a change, so {@code guest_pid} and {@code guest_comm} name the
 * agent itself, as the reference does; for the same reason its events are neither filtered by
 * {@link ProbeOutput#inScope} nor cleared of the agent's own changes. A queue overflow
 * ({@code IN_Q_OVERFLOW}) is reported as {@link ProbeOutput#lost}{@code (1)}: the kernel does not
 * say how many it discarded. A watch ends when its object is deleted or its filesystem unmounted
 * ({@code IN_IGNORED}, after the events that declared the deletion); a file later created at the
 * same path is not watched. A watch follows its inode through renames, still reported under the
 * declared path. The directories above each declared path are watched too, for being deleted or
 * moved themselves ({@link WatchedPaths}): when one of them or a declared object is, or its
 * filesystem is unmounted, the declared path no longer names what is watched, and the probe
 * declares it ({@link ProbeOutput#tampered}; inotify does not say who did it).
 *
 * <p>Threading: {@link #arm}, {@link #onReadable} and {@link #close} on the loop thread. Owns the
 * inotify fd and its native memory.
 */
final class InotifyWatchProbe implements Probe {
    private static final int CHANGES = IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM
            | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF;
    /** Room for many records; at least one of the largest (16 bytes and a 255-byte name), or read fails with EINVAL. */
    private static final int READ_BUFFER_BYTES = 4096;

    /** Only deleted or moved themselves, added to what a watch already has: the directories above. */
    private static final int SELF_ONLY = IN_DELETE_SELF | IN_MOVE_SELF | Inotify.IN_MASK_ADD;

    private final List<String> paths;
    private final int selfPid = Libc.getpid();
    private final String selfComm;
    private final WatchedPaths targets;
    /** The target of each watch; the first, when two paths name one object. */
    private final Map<Integer, WatchedPaths.Target> watched = new HashMap<>();
    private Arena arena;
    private Fd inotify;
    private MemorySegment buf;

    /**
     * @param paths    the declared paths, files or directories, reported as given
     * @param selfComm the agent's comm, which its events carry
     */
    public InotifyWatchProbe(List<String> paths, String selfComm) {
        this.paths = List.copyOf(paths);
        this.selfComm = selfComm;
        this.targets = new WatchedPaths(this.paths);
    }

    @Override
    public String description() {
        return "declared files (inotify) on " + paths.size() + " path(s)";
    }

    /**
     * Opens the instance and watches every declared path.
     *
     * @throws WatchPathException when a declared path cannot be resolved
     * @throws ErrnoException     when the kernel refuses the instance or a watch (for example
     *                            {@code ENOSPC}: {@code max_user_watches})
     */
    @Override
    public void arm() throws IOException {
        arena = Arena.ofConfined();
        try {
            buf = arena.allocate(READ_BUFFER_BYTES, 8);
            inotify = new Fd((int) Libc.INOTIFY_INIT1.call(null, Inotify.IN_NONBLOCK | Inotify.IN_CLOEXEC), "inotify");
            List<WatchedPaths.Target> all = targets.targets();
            WatchPathException.markAll(targets.paths(), (i, path) -> watched.putIfAbsent(
                    Inotify.addWatch(inotify.get(), all.get(i).declared() ? CHANGES : SELF_ONLY, path), all.get(i)));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public int fd() {
        return inotify.get();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        long n;
        while ((n = Libc.readAvailable(inotify.get(), buf, READ_BUFFER_BYTES, "inotify")) > 0) {
            for (long event = 0; event < n; event += Inotify.EVENT_BYTES + Inotify.nameLength(buf, event)) {
                handle(event, out);
            }
        }
    }

    private void handle(long event, ProbeOutput out) {
        int mask = Inotify.mask(buf, event);
        if ((mask & Inotify.IN_Q_OVERFLOW) != 0) {
            out.lost(1);
            return;
        }
        if ((mask & Inotify.IN_IGNORED) != 0) {
            return;
        }
        WatchedPaths.Target target = watched.get(Inotify.wd(buf, event));
        if (target != null && (mask & Inotify.IN_UNMOUNT) != 0) {
            out.tampered(-1, null, WatchedPaths.unmounted(target));
            return;
        }
        if (target != null && (mask & (IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
            out.tampered(-1, null, WatchedPaths.unobservable(target, (mask & IN_DELETE_SELF) != 0));
        }
        if (target != null && !target.declared()) {
            return;
        }
        int nameLength = Inotify.nameLength(buf, event);
        String name = nameLength == 0 ? null : buf.asSlice(event + Inotify.EVENT_BYTES, nameLength).getString(0);
        out.emit(FileWatchEvent.of(selfPid, selfComm, target == null ? null : FileWatchEvent.join(target.path(), name)));
    }

    @Override
    public void close() {
        if (inotify != null) {
            inotify.close();
        }
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
