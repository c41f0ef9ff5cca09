package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.exec.ExecutableHash;
import io.cellos.telemetry.guest.exec.ExecutableKind;
import io.cellos.telemetry.guest.exec.FileKey;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Completes each {@code process.exec} with the {@code sha256} of the file its process executed
 * (protocol.md §4) on its way into the queue, holding it — and what follows it of the same
 * process — until the hash comes, never longer than {@link #WAIT_NANOS}.
 *
 * <p>Events come in {@link #offer}ed in the order they are to be sent. An exec is asked for its
 * hash ({@link Requests#request}) at the {@link #endOfBatch} that follows it, once the batch has
 * shown whether its process exec'd again: the hasher hashes what {@code /proc/PID/exe} shows at
 * the request, the newest program, so an exec followed in the same batch by another exec of its
 * process goes without {@code sha256} (superseded) rather than with the later program's hash. An
 * answer given at once (from the cache; the process gone; the hasher busy; the file too large)
 * completes the exec at once. Otherwise the exec is held until {@link #answer} brings its hash, or
 * until its wait is over ({@link #releaseDue}); it then goes without {@code sha256}.
 *
 * <p><b>Order.</b> While an exec is held, every later event of the same process (its exit, a
 * connect, a later exec) is held behind it, in order, so that nothing of a process overtakes its
 * exec on the wire. Events of other processes pass at once.
 *
 * <p><b>Bounds.</b> At most {@link #capacity} events are held, all processes together. An exec that
 * finds the hold full goes without {@code sha256} at once (behind its process's held events, if
 * any); a later event of a held process that finds it full releases that process's events at once,
 * its held execs without {@code sha256}. Nothing is dropped: every event offered is released, once,
 * in its process's order; {@link #counters} says how many execs went without a hash, and why.
 *
 * <p><b>Memory and deleted files.</b> protocol.md §4 has no key for "the file was a memfd" or
 * "deleted". An exec whose file the hasher found to be one ({@link ExecutableKind#MEMFD},
 * {@link ExecutableKind#DELETED}) and that has no {@code path} of its own is given the kernel's
 * name of the file as its {@code path} ({@code /memfd:payload (deleted)}, {@code /tmp/x (deleted)});
 * one that has a path keeps it. What a consumer sees for a memfd: under {@code audit}, and from the
 * process connector, {@code path} is already the kernel's name ({@code /memfd:payload (deleted)}),
 * audit's {@code exe} and {@code /proc/PID/exe}; under {@code bpf} it is the name {@code execve}
 * was given ({@code /proc/self/fd/3}), kept; in every case {@code sha256} is the hash of the
 * memfd's content. The kernel's name is put in only where the probe knew no path (the connector
 * found the process gone before it read {@code /proc/PID/exe}, yet the hasher opened it).
 *
 * <p><b>The file the kernel ran.</b> Each request carries the key of the file its exec ran where
 * the probe read it from the kernel at the exec ({@link ExecutedFiles}: the eBPF probe reads the
 * inode; audit and the connector do not): a file the hasher knows or is reading by that key is
 * answered by it, whether or not the process has ended or exec'd again since the wake that read
 * the exec. An exec followed in the same wake by another exec of its process is still superseded
 * (below): the agent keeps one key per process. The next two paragraphs are about the execs
 * without a key, or of a file not yet read.
 *
 * <p><b>Short-lived processes.</b> A process gone before its request is not hashed: its file can
 * no longer be opened through {@code /proc/PID/exe}, and its exec goes without {@code sha256}
 * ({@code process gone} in the hasher's counts). The request is made at the end of the wake that
 * read the exec, so this is rare even for the shortest programs: a copy of {@code /bin/true} run
 * 1,000 times in a shell loop (ExecDigestEndToEndTest, on this 6.x test machine) went without
 * {@code sha256} 32 to 117 times under {@code audit} (whose records come later, through the
 * kernel's audit queue) — 3 to 12% — and 34 to 47 times under {@code bpf} before its records
 * carried the kernel's key; with the key, none after the first exec whose file was opened.
 *
 * <p><b>A process that execs again</b> before its exec's request (with no kernel key, or a file
 * not read yet) hashes its newer program: the batch rule above covers two execs read in one
 * wake; two execs of one process read in two wakes less than the request's latency apart
 * (microseconds after the first wake's end) are not told apart, and the first is then declared
 * with the second's hash.
 *
 * <p>Time is given to every call ({@code now}, {@link System#nanoTime()}'s clock): it reads no
 * clock, so it is tested with exact instants. Confined to the agent's loop thread.
 */
final class ExecDigests {
    /**
     * How long an exec waits for its hash. A binary the cache does not know is read once, at page
     * cache or disk speed: a few ms for a typical program, about 100 ms for 100 MB from a warm
     * cache. Half a second covers that with room for a loaded machine, and keeps a process's events
     * within half a second of when the kernel saw them — twice {@link PendingNames#WAIT_NANOS},
     * another wait of the same kind, and well within what a consumer reading the summary waits.
     */
    static final long WAIT_NANOS = 500_000_000L;
    /** The most events held by default, all processes together. */
    static final int CAPACITY = 1024;

    /** How the hash of process {@code pid}'s executable is asked for: the hasher in the agent. */
    @FunctionalInterface
    interface Requests {
        /**
         * @param executed the key of the file the kernel executed, where the probe read it; else null
         * @return the answer now, or null: it comes later through {@link ExecDigests#answer}
         */
        ExecutableHash request(int pid, FileKey executed, long token);
    }

    /** Which file an exec ran, as its probe read it from the kernel: the agent's {@link ProcessHistory}. */
    @FunctionalInterface
    interface ExecutedFiles {
        /** The key of the file {@code pid} executed at {@code execNanos}, or null when not known. */
        FileKey executed(int pid, long execNanos);
    }

    /** Why execs went without a hash here, beside the hasher's own counts. */
    static final class Counters {
        long held;
        long late;
        long full;
        long superseded;

        /** {@code "held 12, late 0, hold full 0, superseded 1"}. */
        @Override
        public String toString() {
            return "held " + held + ", late " + late + ", hold full " + full + ", superseded " + superseded;
        }
    }

    /** One held event; an exec still without its answer has a token. */
    private static final class Slot {
        ProbeEvent event;
        final int pid;
        /** The token of its request, or -1: not an exec, or an exec that needs nothing more. */
        long token = -1;
        /** An exec whose request waits for the batch's end. */
        boolean unrequested;
        long deadline;

        Slot(ProbeEvent event, int pid) {
            this.event = event;
            this.pid = pid;
        }

        boolean waiting() {
            return token >= 0 || unrequested;
        }
    }

    private final Requests requests;
    private final ExecutedFiles files;
    private final Consumer<ProbeEvent> sink;
    private final int capacity;
    private final Counters counters = new Counters();
    /** Each process's held events, oldest first; the first is an exec waiting. */
    private final Map<Integer, ArrayDeque<Slot>> byProcess = new HashMap<>();
    /** Execs waiting for an answer, by token. */
    private final Map<Long, Slot> byToken = new HashMap<>();
    /** Execs waiting for an answer, in the order of their deadlines (answered ones are skipped). */
    private final ArrayDeque<Slot> byDeadline = new ArrayDeque<>();
    /** This batch's execs, to be asked for at its end. */
    private final ArrayList<Slot> unrequested = new ArrayList<>();
    private int held;
    private long nextToken;

    /**
     * @param requests asks for a hash; null: nothing is hashed, every event passes as it is
     * @param files    the file each exec ran, where the kernel said, given with its request
     * @param sink     where events go once complete (the queue)
     * @param capacity the most events held, all processes together
     */
    ExecDigests(Requests requests, ExecutedFiles files, Consumer<ProbeEvent> sink, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("exec digests capacity must be at least 1, got " + capacity);
        }
        this.requests = requests;
        this.files = files;
        this.sink = sink;
        this.capacity = capacity;
    }

    /** Takes {@code e}, next in sending order: passes it on, or holds it behind its process's exec. */
    void offer(ProbeEvent e, long now) {
        if (requests == null) {
            sink.accept(e);
            return;
        }
        int pid = (int) e.guestPid();
        ArrayDeque<Slot> own = byProcess.get(pid);
        boolean exec = e.source() == ProbeSource.PROCESS_EXEC;
        if (own == null && !exec) {
            sink.accept(e);
            return;
        }
        if (held >= capacity) {
            if (own != null) {
                releaseProcess(pid, own);
            }
            if (exec) {
                counters.full++;
            }
            sink.accept(e);
            return;
        }
        Slot s = new Slot(e, pid);
        if (exec) {
            if (own != null) {
                Slot earlier = own.peekLast();
                if (earlier.unrequested) { // not asked yet: the answer would be this exec's program
                    earlier.unrequested = false;
                    counters.superseded++;
                }
            }
            s.unrequested = true;
            s.deadline = now + WAIT_NANOS;
            unrequested.add(s);
        }
        if (own == null) {
            own = new ArrayDeque<>(4);
            byProcess.put(pid, own);
        }
        own.addLast(s);
        held++;
        releaseReady(pid, own);
    }

    /** The end of a batch: asks for the hashes of its execs, completing at once those answered at once. */
    void endOfBatch(long now) {
        for (int i = 0; i < unrequested.size(); i++) {
            Slot s = unrequested.get(i);
            if (!s.unrequested) {
                continue; // superseded, or released by a full hold
            }
            s.unrequested = false;
            long token = nextToken++;
            ExecutableHash h = requests.request(s.pid, files.executed(s.pid, s.event.guestMonotonicNs()), token);
            if (h != null) {
                complete(s, h);
            } else {
                s.token = token;
                byToken.put(token, s);
                byDeadline.addLast(s);
                counters.held++;
            }
            ArrayDeque<Slot> own = byProcess.get(s.pid);
            if (own != null) {
                releaseReady(s.pid, own);
            }
        }
        unrequested.clear();
    }

    /** An answer that came later: completes its exec if it still waits (not after its deadline). */
    void answer(ExecutableHash h) {
        Slot s = byToken.remove(h.token());
        if (s == null) {
            return; // its exec went without it
        }
        s.token = -1;
        complete(s, h);
        ArrayDeque<Slot> own = byProcess.get(s.pid);
        if (own != null) {
            releaseReady(s.pid, own);
        }
    }

    /** Releases, without {@code sha256}, the execs whose wait is over, and what was held behind them. */
    void releaseDue(long now) {
        while (!byDeadline.isEmpty()) {
            Slot s = byDeadline.peekFirst();
            if (s.token < 0) {
                byDeadline.pollFirst(); // answered
                continue;
            }
            if (now - s.deadline < 0) {
                return;
            }
            byDeadline.pollFirst();
            byToken.remove(s.token);
            s.token = -1;
            counters.late++;
            ArrayDeque<Slot> own = byProcess.get(s.pid);
            if (own != null) {
                releaseReady(s.pid, own);
            }
        }
    }

    /** Releases everything held, in each process's order, the execs still waiting without {@code sha256}. */
    void releaseAll() {
        for (Slot s : byToken.values()) {
            s.token = -1;
        }
        byToken.clear();
        byDeadline.clear();
        for (Slot s : unrequested) {
            s.unrequested = false;
        }
        unrequested.clear();
        for (ArrayDeque<Slot> own : byProcess.values()) {
            while (!own.isEmpty()) {
                sink.accept(own.pollFirst().event);
            }
        }
        byProcess.clear();
        held = 0;
    }

    /** When the next wait ends ({@link System#nanoTime()}), or {@link Long#MAX_VALUE}. */
    long nextDeadline() {
        while (!byDeadline.isEmpty() && byDeadline.peekFirst().token < 0) {
            byDeadline.pollFirst();
        }
        return byDeadline.isEmpty() ? Long.MAX_VALUE : byDeadline.peekFirst().deadline;
    }

    /** How many events are held. */
    int held() {
        return held;
    }

    Counters counters() {
        return counters;
    }

    private void complete(Slot s, ExecutableHash h) {
        ProbeEvent e = s.event;
        Extensions x = e.extensions();
        if (h.hashed()) {
            x = x.withSha256(h.sha256());
        }
        if (x.path() == null && h.file() != null && (h.kind() == ExecutableKind.MEMFD || h.kind() == ExecutableKind.DELETED)) {
            x = x.withPath(h.file());
        }
        if (x != e.extensions()) {
            s.event = e.withExtensions(x);
        }
    }

    /** Sends the process's held events from the oldest up to the first exec still waiting. */
    private void releaseReady(int pid, ArrayDeque<Slot> own) {
        while (!own.isEmpty() && !own.peekFirst().waiting()) {
            sink.accept(own.pollFirst().event);
            held--;
        }
        if (own.isEmpty()) {
            byProcess.remove(pid);
        }
    }

    /** The hold is full: the process's held events go now, its waiting execs without {@code sha256}. */
    private void releaseProcess(int pid, ArrayDeque<Slot> own) {
        for (Slot s : own) {
            if (s.waiting()) {
                counters.full++;
                if (s.token >= 0) {
                    byToken.remove(s.token);
                }
                s.token = -1;
                s.unrequested = false;
            }
        }
        releaseReady(pid, own);
    }
}
