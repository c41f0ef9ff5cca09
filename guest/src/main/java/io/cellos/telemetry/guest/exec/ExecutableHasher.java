package io.cellos.telemetry.guest.exec;

import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.EventFd;
import io.cellos.telemetry.guest.linux.FileStat;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.OpenFlags;
import io.cellos.telemetry.guest.linux.ProcSelfFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hashes the file a process executed ({@code sha256} of {@code process.exec}, protocol.md §4)
 * without blocking the agent's loop.
 *
 * <p>At an exec, the loop calls {@link #request} with the process, the key of the file the kernel
 * said it executed (eBPF reads it from the inode at the exec; null where the mechanism does not
 * say) and a token of its own. A kernel key found in the cache is answered at once, and one whose
 * file is being read waits for that reading, both without a system call: the answer is that exec's
 * own file, even if the process has since ended or executed another. Otherwise the request takes the status of the file {@code /proc/PID/exe} leads
 * to — the very file the kernel executed, even deleted or a memfd: a file whose device, inode, size
 * and ctime match one hashed before is answered at once from the cache (so a binary run 10,000
 * times is read once, and one rewritten in place is read again). A regular file with a name
 * answered so is not opened, which saves three system calls per exec of a known program, and its
 * answer names no {@code file}.
 * Any other request opens {@code /proc/PID/exe} and takes the status of the open file, which is
 * what is hashed and cached. A process already gone, a file over {@link HashLimits#maxFileBytes},
 * and a request beyond {@link HashLimits#files} files or {@link HashLimits#waiting} requests in
 * flight (busy) are answered at once too. Otherwise the descriptor goes to one worker thread that reads the file; the answer
 * comes later: {@link #fd} becomes readable and {@link #drain} gives it. Requests of one file
 * made while it is being hashed share the one reading.
 *
 * <p>Every request is answered exactly once: returned by {@link #request}, or given by a later
 * {@link #drain} (until {@link #close}, after which pending requests are not answered).
 *
 * <p>Threading: {@link #request}, {@link #drain}, {@link #fd}, {@link #counters} and
 * {@link #close} on the loop thread only; the worker thread is internal. Ownership: the hasher
 * owns its eventfd, the descriptors of the files it opens (until it closes them) and its native
 * memory; {@link #close} releases them all.
 */
public final class ExecutableHasher implements AutoCloseable {
    private static final int PATH_BYTES = 64;

    private final HashLimits limits;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment path = arena.allocate(PATH_BYTES);
    private final FileStat stat = new FileStat();
    private final ProcSelfFd names = new ProcSelfFd();
    private final HashCache cache;
    private final PendingRequests pending = new PendingRequests();
    private final HashCounters counters = new HashCounters();
    private final EventFd done;
    private final HashWorker worker;
    private boolean closed;

    /**
     * Creates the eventfd and starts the worker thread.
     *
     * @throws ErrnoException naming {@code eventfd2} and the errno
     */
    public ExecutableHasher(HashLimits limits) throws ErrnoException {
        this.limits = limits;
        this.cache = new HashCache(limits.cacheEntries());
        EventFd signal;
        try {
            signal = new EventFd("exec hash answers");
        } catch (ErrnoException e) {
            stat.close();
            names.close();
            arena.close();
            throw e;
        }
        this.done = signal;
        this.worker = new HashWorker(limits.files(), limits.maxFileBytes(), done);
    }

    /** The descriptor the loop waits on: readable when {@link #drain} has answers to give. */
    public int fd() {
        return done.fd();
    }

    /**
     * Asks for the hash of the file process {@code pid} executed: the file {@code executed} names
     * when the cache knows it or is reading it (then without a system call), else the file {@code pid}
     * executes now — the file of its latest exec, so a request made after the process exec'd again
     * hashes the newer file. Does not block: otherwise it stats the file, and unless that answers
     * it, opens and stats it and reads the name of its descriptor, which the kernel answers from
     * memory (a stat or an open could wait only on a filesystem that waits in them, such as FUSE).
     *
     * @param executed the key of the file the kernel executed at this exec ({@link FileKey#ofKernelInode}),
     *                 given only for a file with a name (a memfd or a deleted file is looked up
     *                 through {@code /proc/PID/exe}, which names it); null when not known
     * @param token    the caller's handle for the answer, given back in it
     * @return the answer now, or null: it will come from {@link #drain}
     */
    public ExecutableHash request(int pid, FileKey executed, long token) {
        if (closed) {
            throw new IllegalStateException("the executable hasher is closed");
        }
        if (executed != null) {
            // the exec's own file, known by the kernel's inode: no system call, and no race with
            // the process's end or its next exec — whether it was read already or is being read
            String byKernel = cache.get(executed);
            if (byKernel != null) {
                counters.countByInode();
                return fromCache(token, byKernel);
            }
            if (pending.waitsFor(executed)) {
                return join(token, executed, ExecutableKind.REGULAR, null);
            }
        }
        String exe = "/proc/" + pid + "/exe";
        path.setString(0, exe);
        int rc = stat.at(path);
        if (gone(rc)) {
            return unopened(token, "newfstatat", exe, -rc);
        }
        if (rc == 0 && stat.isRegularFile() && stat.links() > 0 && stat.size() <= limits.maxFileBytes()) {
            String known = cache.get(FileKey.of(stat));
            if (known != null) {
                return fromCache(token, known); // known by its status: not opened
            }
        }
        int fd = (int) Libc.OPENAT.invoke(Libc.AT_FDCWD, path.address(), OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC,
                0, 0, 0);
        if (fd < 0) {
            return unopened(token, Libc.OPENAT.name(), exe, -fd);
        }
        boolean handedOver = false;
        try {
            rc = stat.of(fd);
            if (rc < 0) {
                return refuse(token, HashOutcome.FAILED, "fstat(" + exe + "): " + Errno.describe(-rc),
                        ExecutableKind.UNKNOWN, null);
            }
            String file = nameOf(fd);
            ExecutableKind kind = ExecutableKind.of(file, stat.links());
            String name = file == null ? exe : file;
            if (!stat.isRegularFile()) {
                return refuse(token, HashOutcome.FAILED, name + " (" + exe + ") is not a regular file", kind, file);
            }
            if (stat.size() > limits.maxFileBytes()) {
                return refuse(token, HashOutcome.TOO_LARGE,
                        FileDigest.tooLarge(name, limits.maxFileBytes(), "its size: " + stat.size()), kind, file);
            }
            FileKey key = FileKey.of(stat);
            String known = cache.get(key);
            if (known != null) {
                return answer(token, HashOutcome.CACHED, known, null, kind, file);
            }
            if (pending.waitsFor(key)) {
                return join(token, key, kind, file);
            }
            if (pending.count() >= limits.waiting() || pending.files() >= limits.files()) {
                return busy(token, kind, file);
            }
            handedOver = worker.submit(new HashJob(fd, key, name));
            if (!handedOver) {
                // cannot happen while the files in flight bound the queue; said rather than lost
                return refuse(token, HashOutcome.BUSY, "the hasher is busy: its queue is full", kind, file);
            }
            pending.add(key, new PendingRequests.Waiter(token, kind, file));
            return null;
        } finally {
            if (!handedOver) {
                Libc.CLOSE.invoke(fd, 0, 0, 0, 0, 0); // released even when close reports an error
            }
        }
    }

    /**
     * Gives {@code to} every answer that has come since the last drain, and makes {@link #fd}
     * unreadable until the next one. {@code to} should not throw: if it does, the exception comes
     * out of the drain and the answers of that file not yet given are not given.
     *
     * @return how many answers it gave
     */
    public int drain(Consumer<? super ExecutableHash> to) {
        done.drain(); // before polling: an answer that comes after the poll signals again
        int given = 0;
        for (HashJob job; (job = worker.poll()) != null; ) {
            if (job.outcome() == HashOutcome.HASHED) {
                cache.put(job.key(), job.sha256());
            }
            List<PendingRequests.Waiter> waiters = pending.take(job.key());
            for (int i = 0; i < waiters.size(); i++) {
                PendingRequests.Waiter w = waiters.get(i);
                // the first request read the file; the others share its reading
                HashOutcome outcome = i > 0 && job.outcome() == HashOutcome.HASHED ? HashOutcome.CACHED : job.outcome();
                to.accept(answer(w.token(), outcome, job.sha256(), job.reason(), w.kind(), w.file()));
                given++;
            }
        }
        return given;
    }

    /** The answers given so far, by outcome. */
    public HashCounters counters() {
        return counters;
    }

    /**
     * Stops the worker (waiting up to {@link HashLimits#closeMillis} for it), closes the
     * descriptors of the files still queued and the eventfd, and frees the native memory. The
     * requests still pending are not answered. A worker still inside one read when the wait ends
     * (a file on a stalled filesystem) closes that file itself when the read returns, then ends.
     * Harmless twice.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.stop(limits.closeMillis());
        done.close();
        pending.clear();
        names.close();
        stat.close();
        arena.close();
    }

    /** The worker thread, for tests that check it ended. */
    Thread workerThread() {
        return worker.thread();
    }

    /** Waits for the reading of {@code key} under way (null: the answer comes from {@link #drain}), unless too many wait. */
    private ExecutableHash join(long token, FileKey key, ExecutableKind kind, String file) {
        if (pending.count() >= limits.waiting()) {
            return busy(token, kind, file);
        }
        pending.add(key, new PendingRequests.Waiter(token, kind, file));
        return null;
    }

    private ExecutableHash busy(long token, ExecutableKind kind, String file) {
        return refuse(token, HashOutcome.BUSY, "the hasher is busy: " + pending.count() + " requests wait for "
                + pending.files() + " files (at most " + limits.waiting() + " and " + limits.files()
                + "; a file is in flight until its answer is drained)", kind, file);
    }

    /** Whether a call on {@code /proc/PID/exe} returned {@code rc} because the process is gone. */
    private static boolean gone(int rc) {
        return rc == -Errno.ENOENT || rc == -Errno.ESRCH;
    }

    /**
     * The answer when {@code call} on {@code exe} failed with {@code errno}: the process is gone, or
     * the call failed. A gone process, common on the loop, is told by the errno's name alone:
     * {@link Errno#describe} asks the C library, whose first call links a downcall mid-stream.
     */
    private ExecutableHash unopened(long token, String call, String exe, int errno) {
        return gone(-errno)
                ? refuse(token, HashOutcome.PROCESS_GONE, "the process ended before its file could be opened ("
                        + call + "(" + exe + "): " + Errno.name(errno) + ")", ExecutableKind.UNKNOWN, null)
                : refuse(token, HashOutcome.FAILED, call + "(" + exe + "): " + Errno.describe(errno),
                        ExecutableKind.UNKNOWN, null);
    }

    /** The kernel's name for the open file {@code fd}; null if it cannot be read. */
    private String nameOf(int fd) {
        try {
            return names.target(fd);
        } catch (ErrnoException e) {
            // the name only describes the file; the hash does not depend on it
            return null;
        }
    }

    /** A program with a name, known by its key: answered from the cache, not opened, not named. */
    private ExecutableHash fromCache(long token, String sha256) {
        return answer(token, HashOutcome.CACHED, sha256, null, ExecutableKind.REGULAR, null);
    }

    private ExecutableHash refuse(long token, HashOutcome outcome, String reason, ExecutableKind kind, String file) {
        return answer(token, outcome, null, reason, kind, file);
    }

    private ExecutableHash answer(long token, HashOutcome outcome, String sha256, String reason, ExecutableKind kind,
                                  String file) {
        counters.count(outcome);
        return new ExecutableHash(token, outcome, sha256, reason, kind, file);
    }
}
