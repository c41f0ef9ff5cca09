package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The order, dates and names of what the agent queues, as the probes report it out of order. */
class AttributionTest {
    /** Above this machine's {@code pid_max}: no real process is in the scope. */
    private static final int ROOT = 4_200_000;

    private static final int P101 = ROOT + 1;
    private static final int P102 = ROOT + 2;
    private static final int P103 = ROOT + 3;
    private static final int P104 = ROOT + 4;

    private final EventQueue queue = new EventQueue(64);
    private final ProcessScope scope;
    private final Attribution out;

    AttributionTest() throws Exception {
        scope = ProcessScope.tree(ROOT);
        out = new Attribution(queue, scope, 42, "test-agent");
    }

    /** What the process probe reports of a fork. */
    private void fork(int parent, int child, String comm, long nanos) {
        out.processes().forked(parent, child, comm, nanos);
    }

    private List<String> drain() {
        List<String> lines = new ArrayList<>();
        while (queue.size() > 0) {
            ProbeEvent e = queue.peek();
            queue.remove();
            lines.add(e.source().wireName() + " " + e.guestPid() + " " + e.guestComm() + " @" + e.guestMonotonicNs());
        }
        return lines;
    }

    /** What the connector and audit say of one short-lived child that execs: audit's record read first. */
    @Test
    void anAuditExecReadBeforeTheForkIsDecidedAfterItAndDatedByTheConnector() {
        ProbeEvent auditExec = ProbeEvent.of(ProbeSource.PROCESS_EXEC, P101, "cp", 95); // coarse and early
        out.processes().execNamed(P101, "cp");
        out.emitInScope(auditExec, P101, ROOT);
        assertEquals(0, queue.size(), "held until the process probe has read its messages");

        // the process probe's messages, read in the same wake
        fork(ROOT, P101, "sh", 100);
        out.emit(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, P101, "sh", 100));
        out.processes().execed(P101, null, 110, null);
        out.emit(ProbeEvent.of(ProbeSource.PROCESS_EXITED, P101, "", 120)); // gone before /proc was read
        out.processes().ended(P101);
        out.endOfWake(true, 0);

        assertEquals(List.of("process.spawned " + P101 + " sh @100", "process.exec " + P101 + " cp @110",
                        "process.exited " + P101 + " cp @120"), drain(), "spawn, exec, exit: in order, exec dated by the connector, the exit named");
    }

    @Test
    void heldWhileTheProcessProbeIsBehindAndDecidedOnceItCaughtUp() {
        out.processes().execNamed(P102, "curl");
        out.emitInScope(ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, P102, "curl", 95)
                .withExtensions(Extensions.NONE.withPeer("127.0.0.1:80")), P102, P101);
        out.endOfWake(false, 0);
        assertEquals(List.of(), drain(), "the fork of " + P101 + " and " + P102 + " may still be unread");

        fork(ROOT, P101, "sh", 100);
        fork(P101, P102, "sh", 105);
        out.endOfWake(true, 0);
        assertEquals(List.of("net.connect_attempted " + P102 + " curl @105"), drain(),
                "in scope through its parent's fork, and not dated before its own");
    }

    @Test
    void aWakesEventsGoOutInTheOrderOfTheirStamps() {
        fork(ROOT, P101, "sh", 100);
        out.emit(ProbeEvent.of(ProbeSource.PROCESS_EXITED, P101, "sh", 130)); // read first, happened last
        out.emit(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, P101, "sh", 100));
        out.emit(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, P102, "sh", 100)); // the same stamp: kept in order
        out.endOfWake(true, 0);
        assertEquals(List.of("process.spawned " + P101 + " sh @100", "process.spawned " + P102 + " sh @100",
                "process.exited " + P101 + " sh @130"), drain());
    }

    @Test
    void someoneElsesEventsAreDropped() {
        out.emitInScope(ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 500, "other", 5), 500, 499);
        out.endOfWake(true, 0);
        assertEquals(List.of(), drain());
        assertEquals(0, queue.dropped(), "not ours: not a loss");
    }

    @Test
    void aFileEventOfAGoneWriterWaitsForItsNameThenGoesAsItIs() {
        fork(ROOT, P103, null, 6);
        out.emitInScope(ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, P103, ProbeOutput.UNKNOWN_COMM, 7), P103, -1);
        out.endOfWake(true, 0);
        assertEquals(List.of(), drain());
        out.processes().execNamed(P103, "tee");
        out.endOfWake(true, 1);
        assertEquals(List.of("fs.inotify_fired " + P103 + " tee @7"), drain());

        fork(ROOT, P104, null, 6);
        out.emitInScope(ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, P104, ProbeOutput.UNKNOWN_COMM, 8), P104, -1);
        out.endOfWake(true, 1_000);
        assertEquals(List.of(), drain(), "its name may yet come");
        out.endOfWake(true, 1_000 + PendingNames.WAIT_NANOS);
        assertEquals(List.of("fs.inotify_fired " + P104 + " ? @8"), drain(), "no name came in time: sent unnamed, never lost");
    }

    /**
     * The file probe read a write by a process that forked, exec'd, wrote and ended after the process
     * probe's read: it is decided — in scope, named — only once the process probe has read again.
     */
    @Test
    void aFileEventOfAWriterTheProcessProbeHasNotHeardOfYetIsDecidedOnceItHas() {
        out.emitInScope(ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, P103, ProbeOutput.UNKNOWN_COMM, 9), P103, -1);
        assertEquals(List.of(), drain(), "not known yet: held, not taken for someone else's");

        fork(ROOT, P103, "sh", 5);
        out.processes().execed(P103, "chmod", 6, null);
        out.endOfWake(true, 0);
        assertEquals(List.of("fs.inotify_fired " + P103 + " chmod @9"), drain());
    }

    @Test
    void beyondItsBoundTheOldestHeldEventIsDecidedWithWhatIsKnown() {
        fork(ROOT, P101, "sh", 1);
        for (int i = 0; i <= Attribution.HELD; i++) {
            out.emitInScope(ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, P101, "sh", 10 + i), P101, ROOT);
        }
        out.endOfWake(false, 0); // the process probe is still behind: only what was decided goes out
        assertEquals(1, queue.size(), "one over the bound: the oldest decided with what was known");
    }
}
