package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.exec.ExecutableHash;
import io.cellos.telemetry.guest.probe.KnownProcesses;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The agent's side of {@link ProbeOutput}: which process an observation belongs to, by what name,
 * and when — then into the bounded {@link EventQueue}.
 *
 * <ul>
 * <li><b>Scope.</b> An event is queued when its process is in the {@link ProcessScope}. Events of
 *     audit and of the file probe ({@link #emitInScope}) are held until the end of a wake in which
 *     the process probe, read after them, read everything the kernel held for it: the connector's
 *     messages about a process are queued before audit's record or a file event of it is made, so
 *     by then the fork that puts the process in scope, and its exec, have been heard. They are then
 *     decided — in scope through the process or its parent, or someone else's — named from what was
 *     heard when the file probe found the process gone, and queued after the wake's process events,
 *     in the order they came.</li>
 * <li><b>Time.</b> Audit dates a record with a coarse wall clock (a clock tick, printed in
 *     milliseconds), up to several milliseconds early against the connector's exact
 *     {@code CLOCK_MONOTONIC} stamps. A decided {@code process.exec} takes the connector's stamp of
 *     the same exec; any other audit event, and an exec the connector did not report, is dated no
 *     earlier than its process's newest fork or exec stamp ({@link ProcessHistory}). So an exec is
 *     never dated before the spawn of its process.</li>
 * <li><b>Names.</b> A file event whose writer is gone and unnamed ({@code "?"}), or an exit with no
 *     name, waits in {@link PendingNames} for the name audit's exec record brings, at most
 *     {@link PendingNames#WAIT_NANOS}, and only while the queue has room.</li>
 * <li><b>Order.</b> What a wake decides goes into the queue at the wake's end, in the order of its
 *     stamps: a process's spawn, exec and exit, read by two probes, are sent in that order.</li>
 * <li><b>Hashes.</b> On the way into the queue, each {@code process.exec} is given the {@code sha256}
 *     of its file by {@link ExecDigests}, which holds it — and what follows it of its process —
 *     until the hash comes ({@link #hashed}) or {@link ExecDigests#WAIT_NANOS} passes.</li>
 * <li><b>Programs.</b> On the way out of {@link ExecDigests}, a connect, file event or denial is
 *     given the {@code exe} and {@code sha256} of its process's program ({@link ProcessExecutables}).</li>
 * </ul>
 *
 * <p>Confined to the agent's loop thread.
 */
final class Attribution implements ProbeOutput {
    /** Audit events held at most while the process probe catches up; beyond, the oldest is decided with what is known. */
    static final int HELD = 4096;
    /** Events held at most while their process's name is on its way. */
    private static final int PENDING_NAMES = 1024;
    private static final int PROCESSES = 65_536;
    /** protocol.md §4: {@code what} is at most 256 bytes. */
    private static final int MAX_WHAT_BYTES = 256;
    private static final Comparator<ProbeEvent> BY_STAMP = (a, b) -> Long.compareUnsigned(a.guestMonotonicNs(),
            b.guestMonotonicNs());

    private final EventQueue queue;
    private final int agentPid;
    private final String agentComm;
    private final ProcessHistory history;
    private final PendingNames pendingNames = new PendingNames(PENDING_NAMES);
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** What this wake decided to send, put in the order of its stamps at the wake's end. */
    private final ArrayList<ProbeEvent> wake = new ArrayList<>();
    private final ExecDigests digests;
    /** {@link #history}'s names and the wake's list as the functions {@link PendingNames} takes, made once, not per wake. */
    private final IntFunction<String> nameOf;
    private final Consumer<ProbeEvent> toWake = wake::add;

    /** An audit event waiting for the process probe; {@code parent} -1 when the record names none. */
    private record Held(ProbeEvent event, int pid, int parent) {
    }

    /** Without hashes: every exec goes as the probe made it. */
    Attribution(EventQueue queue, ProcessScope scope, int agentPid, String agentComm) {
        this(queue, scope, agentPid, agentComm, null, ExecDigests.CAPACITY);
    }

    /**
     * @param agentPid    and {@code agentComm} name the agent, in what it declares of itself
     * @param hashes      asks for the hash of an exec's file ({@link ExecDigests.Requests}); null:
     *                    execs go without {@code sha256}
     * @param execsHeld   the most events {@link ExecDigests} holds for their hashes
     */
    Attribution(EventQueue queue, ProcessScope scope, int agentPid, String agentComm, ExecDigests.Requests hashes,
                int execsHeld) {
        this.queue = queue;
        this.history = new ProcessHistory(PROCESSES, scope);
        this.nameOf = history::nameOf;
        this.digests = new ExecDigests(hashes, history::takeExecutedFile, new ProcessExecutables(queue::offer,
                ProcessExecutables::readLink, agentPid, ProcessExecutables.CAPACITY), execsHeld);
        this.agentPid = agentPid;
        this.agentComm = agentComm;
    }

    @Override
    public void emit(ProbeEvent event) {
        emit(event, System.nanoTime());
    }

    private void emit(ProbeEvent event, long now) {
        // an event waits for its name only while the queue has room: into a full queue it is
        // dropped and counted now, as it would be a moment later
        if (unnamed(event) && !queue.full() && pendingNames.hold(event, now)) {
            return;
        }
        wake.add(event);
    }

    @Override
    public void lost(long count) {
        queue.countDropped(count);
    }

    @Override
    public void emitInScope(ProbeEvent event, int pid, int parent) {
        if (held.size() == HELD) {
            decide(held.pollFirst(), System.nanoTime());
        }
        held.addLast(new Held(event, pid, parent));
    }

    @Override
    public KnownProcesses processes() {
        return history;
    }

    /**
     * Always declared, whatever the scope: a change to the agent's observation concerns the whole
     * guest. An actor whose name the probe could not read (gone already) is held like a file
     * event's writer and named from what was heard of it.
     */
    @Override
    public void tampered(int actorPid, String actorComm, String what) {
        boolean named = actorPid > 0;
        ProbeEvent e = new ProbeEvent(Wire.VERSION_1_1, ProbeSource.AGENT_TAMPERED, named ? actorPid : agentPid,
                !named ? agentComm : actorComm != null ? actorComm : UNKNOWN_COMM, System.nanoTime(),
                Extensions.NONE.withWhat(Wire.prefixFitting(what, MAX_WHAT_BYTES)));
        if (named && actorComm == null) {
            emitInScope(e, actorPid, -1);
        } else {
            emit(e);
        }
    }

    /**
     * The end of one wake of the loop: decides the held audit events if {@code processesRead}
     * (every probe was read, and the process probe left nothing unread), then releases the events
     * whose name has come or whose wait is over.
     */
    void endOfWake(boolean processesRead, long now) {
        if (processesRead) {
            while (!held.isEmpty()) {
                decide(held.pollFirst(), now);
            }
        }
        pendingNames.releaseNamed(nameOf, toWake);
        pendingNames.releaseDue(now, toWake);
        wake.sort(BY_STAMP); // stable: events of one stamp keep the order they came in
        for (int i = 0; i < wake.size(); i++) {
            digests.offer(wake.get(i), now);
        }
        wake.clear();
        digests.endOfBatch(now);
        digests.releaseDue(now);
    }

    /** An exec's hash came from the hasher ({@link ExecDigests#answer}). */
    void hashed(ExecutableHash h) {
        digests.answer(h);
    }

    /**
     * The agent is stopping: every audit event and name held is decided and released now; the
     * execs waiting for a hash stay held (their answers may still come) until
     * {@link #releaseExecs}.
     */
    void releaseAll() {
        long now = System.nanoTime();
        endOfWake(true, now);
        pendingNames.releaseAll(e -> digests.offer(e, now));
        digests.endOfBatch(now);
    }

    /** How many events wait for an exec's hash. */
    int execsHeld() {
        return digests.held();
    }

    /** Releases everything still held for a hash, the execs without {@code sha256}. */
    void releaseExecs() {
        digests.releaseAll();
    }

    /** Why execs went without a hash here: {@code "held 12, late 0, hold full 0, superseded 1"}. */
    String execCounts() {
        return digests.counters().toString();
    }

    /** When a held name's or exec's wait ends ({@link System#nanoTime()}), or {@link Long#MAX_VALUE}. */
    long nextDeadline() {
        return Math.min(pendingNames.nextDeadline(), digests.nextDeadline());
    }

    private void decide(Held h, long now) {
        ProbeEvent e = h.event();
        if (e.source() != ProbeSource.AGENT_TAMPERED && !history.covers(h.pid(), h.parent())) {
            return; // someone else's
        }
        long stamp = switch (e.source()) {
            case PROCESS_EXEC -> history.claimExec(h.pid(), e.guestMonotonicNs());
            case FS_INOTIFY_FIRED -> e.guestMonotonicNs(); // when the agent read it: never early
            default -> history.notBeforeBirth(h.pid(), e.guestMonotonicNs());
        };
        String comm = e.guestComm();
        if (UNKNOWN_COMM.equals(comm) && history.nameOf(h.pid()) != null) {
            comm = history.nameOf(h.pid()); // a writer gone before the file probe could read its name
        }
        emit(stamp == e.guestMonotonicNs() && comm.equals(e.guestComm()) ? e
                : new ProbeEvent(e.contentVersion(), e.source(), e.guestPid(), comm, stamp, e.extensions()), now);
    }

    /**
     * Whether {@code event} names its process as unknown: a file event's or a tampering actor's
     * {@code "?"}, or an exit
     * with no name (the process was gone before the agent heard the name its exec gave it).
     */
    private static boolean unnamed(ProbeEvent event) {
        return (event.source() == ProbeSource.FS_INOTIFY_FIRED || event.source() == ProbeSource.AGENT_TAMPERED)
                && UNKNOWN_COMM.equals(event.guestComm())
                || event.source() == ProbeSource.PROCESS_EXITED && event.guestComm().isEmpty();
    }
}
