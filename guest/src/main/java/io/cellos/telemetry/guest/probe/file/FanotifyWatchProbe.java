package io.cellos.telemetry.guest.probe.file;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fanotify;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.FileId;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.OpenFlags;
import io.cellos.telemetry.guest.linux.ProcFs;
import io.cellos.telemetry.guest.linux.ProcSelfFd;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static io.cellos.telemetry.guest.linux.Fanotify.FAN_ATTRIB;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_CLOSE_WRITE;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_CREATE;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_DELETE;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_DELETE_SELF;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_EVENT_ON_CHILD;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_MODIFY;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_MOVED_FROM;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_MOVED_TO;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_MOVE_SELF;
import static io.cellos.telemetry.guest.linux.Fanotify.FAN_ONDIR;

/**
 * Declared file watches through one fanotify group, so that each event names the process that
 * touched the file: {@code guest_pid} is the event's pid (the thread-group leader), {@code
 * guest_comm} its {@code /proc/<pid>/comm} when the event is read — once the process is gone,
 * {@code "?"}, for the agent to name from what it heard of the process — and {@code path} the
 * file.
 *
 * <p>Each declared path gets an inode mark; on a directory the mark also covers the entries in it
 * ({@code FAN_EVENT_ON_CHILD}), not deeper. What the group sees depends on how it reports files:
 * <ul>
 * <li>{@link Reporting#FILE_IDS} ({@code FAN_REPORT_DFID_NAME | FAN_REPORT_FID}, Linux 5.9): every
 *     change inotify sees — content modified, written file closed, attributes (mode, owner, times,
 *     link count), entries created, deleted, moved in or out (directories too), the declared object
 *     itself deleted or moved. Events carry file identities instead of fds; the path is the
 *     declared path (plus the entry's name for an entry of a declared directory), recognised by
 *     comparing the identities with those taken when arming. Nothing is opened per event.</li>
 * <li>{@link Reporting#FILE_DESCRIPTORS} (any fanotify): content modified and written file closed,
 *     only. The kernel refuses every other event to a group that reports fds, so unlink, rename,
 *     mkdir, chmod/chown/utimes, link and symlink in a declared directory go unseen; a file created
 *     there is seen when it is written or closed after opening for writing. The path is the target
 *     of the event fd's {@code /proc/self/fd} link: the kernel's name for the file, with symbolic
 *     links resolved, and {@code " (deleted)"} appended once unlinked.</li>
 * </ul>
 * The kernel merges queued events on the same object (and name) into one record whose mask is the
 * union; each record read becomes one event.
 *
 * <p>In file-id mode the directories above each declared path are marked too, for being deleted or
 * moved themselves ({@link WatchedPaths}); when one of them or a declared object is, the declared
 * path no longer names what is marked, and the probe declares it ({@link ProbeOutput#tampered},
 * naming the process that did it), beside the file event a declared object's own change makes.
 * (File-descriptor mode cannot see it: the kernel gives such a group no deletion or move events.)
 *
 * <p>Events caused by the agent itself (its pid) are not emitted; the others go through
 * {@link ProbeOutput#emitInScope}, since the writer may be younger than the process probe's last
 * read. A queue overflow ({@code FAN_Q_OVERFLOW}, after
 * {@code /proc/sys/fs/fanotify/max_queued_events}) is reported as {@link ProbeOutput#lost}{@code (1)}:
 * the kernel does not say how many events it discarded.
 *
 * <p>Threading: {@link #arm}, {@link #onReadable} and {@link #close} on the loop thread. Owns the
 * group fd, its native memory and {@code /proc} reader, and every fd the kernel hands out with an
 * event: each is closed before {@link #onReadable} returns, whatever happens.
 */
final class FanotifyWatchProbe implements Probe {
    /** How the group reports which file an event is about. */
    public enum Reporting {
        /** File identities: every kind of change. */
        FILE_IDS("file ids", Fanotify.FAN_REPORT_DFID_NAME | Fanotify.FAN_REPORT_FID,
                "FAN_CLASS_NOTIF|FAN_REPORT_DFID_NAME|FAN_REPORT_FID",
                FAN_MODIFY | FAN_CLOSE_WRITE | FAN_ATTRIB | FAN_CREATE | FAN_DELETE | FAN_MOVED_FROM | FAN_MOVED_TO
                        | FAN_DELETE_SELF | FAN_MOVE_SELF | FAN_ONDIR | FAN_EVENT_ON_CHILD),
        /** An open fd per event: content changes only. */
        FILE_DESCRIPTORS("file descriptors", 0, "FAN_CLASS_NOTIF", FAN_MODIFY | FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD);

        private final String label;
        private final int initFlags;
        /** The flags that set the mode, for errors. */
        private final String initFlagNames;
        /** One mask for files and directories alike: the kernel ignores FAN_EVENT_ON_CHILD on a file. */
        private final long mask;

        Reporting(String label, int initFlags, String initFlagNames, long mask) {
            this.label = label;
            this.initFlags = initFlags;
            this.initFlagNames = initFlagNames;
            this.mask = mask;
        }
    }

    /**
     * Large enough for several of the largest file-id events (two identities of up to 148 bytes and
     * a 255-byte name), and small enough to bound the fds one read opens in fd mode to 170.
     */
    private static final int READ_BUFFER_BYTES = 4096;

    /** Only deleted or moved themselves: the directories above the declared paths. */
    private static final long SELF_ONLY = FAN_DELETE_SELF | FAN_MOVE_SELF | FAN_ONDIR;

    private final List<String> paths;
    private final WatchedPaths watched;
    private final Reporting reporting;
    private final int selfPid = Libc.getpid();
    private Arena arena;
    private Fd group;
    private MemorySegment buf;
    private ProcFs procFs;
    /** {@link Reporting#FILE_IDS}: the identity of each of {@link WatchedPaths#targets}, by index. */
    private FileId[] ids;
    /** {@link Reporting#FILE_DESCRIPTORS}: names event fds. */
    private ProcSelfFd links;

    /**
     * @param paths     the declared paths, files or directories, reported as given
     * @param reporting how the group reports files
     */
    public FanotifyWatchProbe(List<String> paths, Reporting reporting) {
        this.paths = List.copyOf(paths);
        this.watched = new WatchedPaths(this.paths);
        this.reporting = reporting;
    }

    @Override
    public String description() {
        return "declared files (fanotify reporting " + reporting.label + ") on " + paths.size() + " path(s)";
    }

    /**
     * Opens the group and marks every declared path.
     *
     * @throws WatchPathException when a declared path cannot be resolved
     * @throws ErrnoException     when the kernel refuses the group or a mark (no fanotify, no
     *                            {@code CAP_SYS_ADMIN}, no file ids on this kernel or filesystem)
     */
    @Override
    public void arm() throws IOException {
        arena = Arena.ofConfined();
        try {
            buf = arena.allocate(READ_BUFFER_BYTES, 8);
            procFs = new ProcFs();
            int flags = Fanotify.FAN_CLASS_NOTIF | Fanotify.FAN_CLOEXEC | Fanotify.FAN_NONBLOCK | reporting.initFlags;
            group = new Fd((int) Libc.FANOTIFY_INIT.call(reporting.initFlagNames, flags,
                    OpenFlags.O_RDONLY | OpenFlags.O_LARGEFILE | OpenFlags.O_CLOEXEC), "fanotify group");
            if (reporting == Reporting.FILE_IDS) {
                List<WatchedPaths.Target> targets = watched.targets();
                ids = new FileId[targets.size()];
                WatchPathException.markAll(watched.paths(), (i, path) -> {
                    Fanotify.markAdd(group.get(), targets.get(i).declared() ? reporting.mask : SELF_ONLY, path);
                    ids[i] = FileId.of(arena, path);
                });
            } else {
                links = new ProcSelfFd();
                links.target(group.get()); // event paths come from /proc/self/fd: fail now if it is missing
                WatchPathException.markAll(paths, (i, path) -> Fanotify.markAdd(group.get(), reporting.mask, path));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public int fd() {
        return group.get();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        long n;
        while ((n = Libc.readAvailable(group.get(), buf, READ_BUFFER_BYTES, "fanotify group")) > 0) {
            decode(n, out);
        }
    }

    /** Handles the {@code n} bytes of events in the buffer; closes every event fd among them. */
    private void decode(long n, ProbeOutput out) throws IOException {
        long next = 0; // the first event whose fd is still open
        try {
            while (next < n) {
                long event = next;
                int length = Fanotify.eventLength(buf, event);
                if (length < Fanotify.METADATA_BYTES || event + length > n) {
                    throw new IOException("fanotify event of " + length + " bytes at offset " + event + " of a "
                            + n + "-byte read");
                }
                next = event + length;
                int fd = Fanotify.fd(buf, event);
                try {
                    handle(event, fd, out);
                } finally {
                    closeEventFd(fd);
                }
            }
        } finally {
            // reached with next < n only when an event failed: the fds of those after it are ours too
            for (long event = next; event + Fanotify.METADATA_BYTES <= n; event += Fanotify.eventLength(buf, event)) {
                if (Fanotify.eventLength(buf, event) < Fanotify.METADATA_BYTES) {
                    break;
                }
                closeEventFd(Fanotify.fd(buf, event));
            }
        }
    }

    private void handle(long event, int fd, ProbeOutput out) throws IOException {
        if (Fanotify.version(buf, event) != Fanotify.METADATA_VERSION) {
            throw new IOException("fanotify event metadata version " + Fanotify.version(buf, event)
                    + ", this probe reads version " + Fanotify.METADATA_VERSION);
        }
        if ((Fanotify.mask(buf, event) & Fanotify.FAN_Q_OVERFLOW) != 0) {
            out.lost(1);
            return;
        }
        int pid = Fanotify.pid(buf, event);
        if (pid == selfPid) {
            return;
        }
        String comm = procFs.comm(pid); // null once the process is gone: the agent names it from what it heard
        String name = comm == null ? ProbeOutput.UNKNOWN_COMM : comm;
        if (reporting == Reporting.FILE_DESCRIPTORS) {
            out.emitInScope(FileWatchEvent.of(pid, name, links.target(fd)), pid, -1);
            return;
        }
        Match m = match(event);
        long mask = Fanotify.mask(buf, event);
        if (m.self() != null && (mask & (FAN_DELETE_SELF | FAN_MOVE_SELF)) != 0) {
            out.tampered(pid, comm, WatchedPaths.unobservable(m.self(), (mask & FAN_DELETE_SELF) != 0));
        }
        if (m.self() == null || m.self().declared()) {
            out.emitInScope(FileWatchEvent.of(pid, name, m.path()), pid, -1);
        }
    }

    /**
     * What a file-id event is about.
     *
     * @param self the target whose own identity is the event's object, or {@code null}
     * @param path the declared path the event concerns: the declared object itself, or an entry of
     *             a declared directory; {@code null} if no identity is recognised (a filesystem
     *             whose fsid fanotify reports differently from {@code statfs})
     */
    private record Match(WatchedPaths.Target self, String path) {
    }

    private Match match(long event) {
        long end = event + Fanotify.eventLength(buf, event);
        String entry = null;
        long info = event + Fanotify.metadataLength(buf, event);
        while (info + Fanotify.INFO_HEADER_BYTES <= end) {
            int length = Fanotify.infoLength(buf, info);
            if (length < Fanotify.INFO_HEADER_BYTES || info + length > end) {
                break;
            }
            int type = Fanotify.infoType(buf, info);
            if (type == Fanotify.INFO_TYPE_FID || type == Fanotify.INFO_TYPE_DFID || type == Fanotify.INFO_TYPE_DFID_NAME) {
                long id = info + Fanotify.INFO_FID_IDENTITY_OFFSET;
                int idLength = Fanotify.identityLength(buf, info);
                WatchedPaths.Target target = targetOf(id, idLength);
                String name = type == Fanotify.INFO_TYPE_DFID_NAME
                        ? buf.asSlice(id + idLength, info + length - id - idLength).getString(0)
                        : null;
                // the object itself: its own id, or (an event on a directory) the directory's id with the name "."
                if (target != null && (type == Fanotify.INFO_TYPE_FID || ".".equals(name))) {
                    return new Match(target, target.declared() ? target.path() : null);
                }
                if (target != null && target.declared()) {
                    entry = FileWatchEvent.join(target.path(), name);
                }
            }
            info += length;
        }
        return new Match(null, entry);
    }

    /** The target whose identity is at {@code id}, or {@code null}; the few targets are scanned. */
    private WatchedPaths.Target targetOf(long id, int idLength) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].matches(buf, id, idLength)) {
                return watched.targets().get(i);
            }
        }
        return null;
    }

    private static void closeEventFd(int fd) {
        if (fd >= 0) {
            Libc.CLOSE.callOrErrno(fd); // close(2) releases the fd even when it reports an error
        }
    }

    @Override
    public void close() {
        if (group != null) {
            group.close();
        }
        if (links != null) {
            links.close();
            links = null;
        }
        if (procFs != null) {
            procFs.close();
            procFs = null;
        }
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
