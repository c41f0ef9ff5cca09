package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.exec.ExecutableHash;
import io.cellos.telemetry.guest.exec.ExecutableKind;
import io.cellos.telemetry.guest.exec.FileKey;
import io.cellos.telemetry.guest.exec.HashOutcome;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ExecDigests} with synthetic answers and exact instants: no kernel, no hasher.
 */
class ExecDigestsTest {
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);

    final List<ProbeEvent> sent = new ArrayList<>();
    /** The requests made: pid, token. */
    final List<long[]> asked = new ArrayList<>();
    /** The kernel's key given with each request, in order. */
    final List<FileKey> askedFor = new ArrayList<>();
    /** The files the kernel said execs ran, by "pid@stamp". */
    final Map<String, FileKey> executed = new HashMap<>();
    /** Answers given at once, by pid; a pid not here is answered later. */
    final Map<Integer, ExecutableHash> atOnce = new HashMap<>();
    long now = 1_000_000_000L;

    ExecDigests digests(int capacity) {
        return new ExecDigests((pid, executed, token) -> {
            asked.add(new long[]{pid, token});
            askedFor.add(executed);
            ExecutableHash h = atOnce.get(pid);
            return h == null ? null : new ExecutableHash(token, h.outcome(), h.sha256(), h.reason(), h.kind(), h.file());
        }, (pid, execNanos) -> executed.get(pid + "@" + execNanos), sent::add, capacity);
    }

    static ProbeEvent exec(int pid, String path) {
        return new ProbeEvent(Wire.VERSION_1_1, ProbeSource.PROCESS_EXEC, pid, "x", 1,
                path == null ? Extensions.NONE : Extensions.NONE.withPath(path));
    }

    static ProbeEvent exited(int pid) {
        return ProbeEvent.of(ProbeSource.PROCESS_EXITED, pid, "x", 2);
    }

    static ProbeEvent connect(int pid) {
        return new ProbeEvent(Wire.VERSION_1_1, ProbeSource.NET_CONNECT_ATTEMPTED, pid, "x", 2,
                Extensions.NONE.withPeer("127.0.0.1:1"));
    }

    static ExecutableHash hashed(long token, String sha, HashOutcome outcome, ExecutableKind kind, String file) {
        return new ExecutableHash(token, outcome, sha, null, kind, file);
    }

    static ExecutableHash refused(long token, HashOutcome outcome) {
        return new ExecutableHash(token, outcome, null, "why", ExecutableKind.UNKNOWN, null);
    }

    long tokenOf(int pid) {
        for (long[] a : asked) {
            if (a[0] == pid) {
                return a[1];
            }
        }
        throw new AssertionError("no request for pid " + pid);
    }

    @Test
    void anAnswerGivenAtOnceCompletesTheExecAtOnce() {
        ExecDigests d = digests(8);
        atOnce.put(10, hashed(0, A, HashOutcome.CACHED, ExecutableKind.REGULAR, "/usr/bin/true"));
        d.offer(exec(10, "/bin/true"), now);
        d.offer(exited(10), now);
        d.endOfBatch(now);

        assertEquals(2, sent.size());
        assertEquals(A, sent.get(0).extensions().sha256());
        assertEquals("/bin/true", sent.get(0).extensions().path(), "its own path is kept");
        assertEquals(ProbeSource.PROCESS_EXITED, sent.get(1).source());
        assertEquals(0, d.held());
        assertEquals(Long.MAX_VALUE, d.nextDeadline());
    }

    @Test
    void eachRequestCarriesTheFileTheKernelSaidThatExecRan() {
        ExecDigests d = digests(8);
        FileKey ran = new FileKey(65024, 260958, 35664, 1663687647, 5);
        executed.put("10@777", ran);
        d.offer(new ProbeEvent(Wire.VERSION_1_1, ProbeSource.PROCESS_EXEC, 10, "x", 777, Extensions.NONE), now);
        d.offer(exec(11, "/bin/true"), now);
        d.endOfBatch(now);
        d.offer(new ProbeEvent(Wire.VERSION_1_1, ProbeSource.PROCESS_EXEC, 10, "x", 778, Extensions.NONE), now);
        d.endOfBatch(now);

        assertEquals(3, asked.size());
        assertEquals(ran, askedFor.get(0), "pid 10's exec at stamp 777: asked for by its own stamp");
        assertNull(askedFor.get(1), "the kernel said nothing of pid 11's file");
        assertNull(askedFor.get(2), "pid 10's later exec, at 778, is another");
    }

    @Test
    void aProcessGoneBeforeTheRequestGoesWithoutSha256AtOnce() {
        ExecDigests d = digests(8);
        atOnce.put(10, refused(0, HashOutcome.PROCESS_GONE));
        d.offer(exec(10, "/bin/true"), now);
        d.endOfBatch(now);

        assertEquals(1, sent.size());
        assertNull(sent.get(0).extensions().sha256());
        assertEquals(0, d.counters().held);
    }

    @Test
    void aHeldExecKeepsItsProcessesLaterEventsBehindItButNotOthers() {
        ExecDigests d = digests(8);
        d.offer(exec(10, "/bin/x"), now);
        d.endOfBatch(now);
        assertTrue(sent.isEmpty(), "held for its hash");
        assertEquals(now + ExecDigests.WAIT_NANOS, d.nextDeadline());

        d.offer(connect(10), now + 1);
        d.offer(exec(11, "/bin/y"), now + 1);
        atOnce.put(12, hashed(0, B, HashOutcome.CACHED, ExecutableKind.REGULAR, "/bin/z"));
        d.offer(exec(12, "/bin/z"), now + 1);
        d.offer(exited(12), now + 1);
        d.offer(exited(10), now + 1);
        d.endOfBatch(now + 1);
        assertEquals(List.of(ProbeSource.PROCESS_EXEC, ProbeSource.PROCESS_EXITED),
                sent.stream().map(ProbeEvent::source).toList(), "another process's events are not delayed");
        assertEquals(12, sent.get(0).guestPid());
        assertEquals(4, d.held(), "10's exec, connect, exit; 11's exec");

        d.answer(hashed(tokenOf(10), A, HashOutcome.HASHED, ExecutableKind.REGULAR, "/bin/x"));
        assertEquals(5, sent.size());
        assertEquals(A, sent.get(2).extensions().sha256());
        assertEquals(ProbeSource.NET_CONNECT_ATTEMPTED, sent.get(3).source());
        assertEquals(ProbeSource.PROCESS_EXITED, sent.get(4).source());
        assertEquals(10, sent.get(4).guestPid());
        assertEquals(1, d.held(), "11 still waits");
    }

    @Test
    void anExecWhoseAnswerIsLateGoesWithoutSha256AtItsDeadlineWithWhatFollowedIt() {
        ExecDigests d = digests(8);
        d.offer(exec(10, "/bin/x"), now);
        d.endOfBatch(now);
        d.offer(exited(10), now + 5);
        d.endOfBatch(now + 5);

        d.releaseDue(now + ExecDigests.WAIT_NANOS - 1);
        assertTrue(sent.isEmpty(), "not yet");
        d.releaseDue(now + ExecDigests.WAIT_NANOS);
        assertEquals(2, sent.size());
        assertNull(sent.get(0).extensions().sha256());
        assertEquals(ProbeSource.PROCESS_EXITED, sent.get(1).source());
        assertEquals(1, d.counters().late);

        d.answer(hashed(tokenOf(10), A, HashOutcome.HASHED, ExecutableKind.REGULAR, "/bin/x"));
        assertEquals(2, sent.size(), "an answer after the deadline is ignored");
        assertEquals(Long.MAX_VALUE, d.nextDeadline());
    }

    @Test
    void anExecFollowedInItsBatchByAnotherOfItsProcessIsNotAskedFor() {
        ExecDigests d = digests(8);
        d.offer(exec(10, "/bin/sh"), now);
        d.offer(exec(10, "/usr/bin/hostname"), now);
        d.endOfBatch(now);

        assertEquals(1, asked.size(), "only the newer program is asked for");
        assertEquals(1, sent.size(), "the first goes at once, without the later program's hash");
        assertEquals("/bin/sh", sent.get(0).extensions().path());
        assertNull(sent.get(0).extensions().sha256());
        assertEquals(1, d.counters().superseded);

        d.answer(hashed(tokenOf(10), B, HashOutcome.HASHED, ExecutableKind.REGULAR, "/usr/bin/hostname"));
        assertEquals(B, sent.get(1).extensions().sha256());
    }

    @Test
    void aLaterExecOfAHeldProcessWaitsBehindTheFirstAndIsAskedForItself() {
        ExecDigests d = digests(8);
        d.offer(exec(10, "/bin/sh"), now);
        d.endOfBatch(now);
        d.offer(exec(10, "/bin/x"), now + 1);
        d.endOfBatch(now + 1);
        assertEquals(2, asked.size());

        d.answer(hashed(asked.get(1)[1], B, HashOutcome.HASHED, ExecutableKind.REGULAR, "/bin/x"));
        assertTrue(sent.isEmpty(), "the second waits behind the first");
        d.answer(hashed(asked.get(0)[1], A, HashOutcome.HASHED, ExecutableKind.REGULAR, "/bin/sh"));
        assertEquals(List.of(A, B), sent.stream().map(e -> e.extensions().sha256()).toList());
    }

    @Test
    void aFullHoldSendsANewExecWithoutSha256AndReleasesAHeldProcessForItsNextEvent() {
        ExecDigests d = digests(2);
        d.offer(exec(10, "/bin/x"), now);
        d.offer(exec(11, "/bin/y"), now);
        d.endOfBatch(now);
        assertEquals(2, d.held());

        d.offer(exec(12, "/bin/z"), now);
        d.endOfBatch(now);
        assertEquals(1, sent.size(), "beyond the bound, at once");
        assertEquals(12, sent.get(0).guestPid());
        assertNull(sent.get(0).extensions().sha256());
        assertEquals(2, asked.size(), "not asked for");

        d.offer(exited(10), now);
        assertEquals(List.of(12L, 10L, 10L), sent.stream().map(ProbeEvent::guestPid).toList(),
                "10's exec is released before its exit, which does not wait");
        assertNull(sent.get(1).extensions().sha256());
        assertEquals(2, d.counters().full);
        assertEquals(1, d.held());

        d.answer(hashed(tokenOf(10), A, HashOutcome.HASHED, ExecutableKind.REGULAR, "/bin/x"));
        assertEquals(3, sent.size(), "its late answer is ignored");
    }

    @Test
    void aMemfdOrDeletedFileNamesTheExecOnlyWhenItHasNoPathOfItsOwn() {
        ExecDigests d = digests(8);
        atOnce.put(10, hashed(0, A, HashOutcome.HASHED, ExecutableKind.MEMFD, "/memfd:x (deleted)"));
        atOnce.put(11, hashed(0, A, HashOutcome.HASHED, ExecutableKind.MEMFD, "/memfd:x (deleted)"));
        atOnce.put(12, refused(0, HashOutcome.TOO_LARGE));
        atOnce.put(13, new ExecutableHash(0, HashOutcome.TOO_LARGE, null, "big", ExecutableKind.DELETED, "/tmp/big (deleted)"));
        atOnce.put(14, hashed(0, B, HashOutcome.HASHED, ExecutableKind.REGULAR, "/usr/bin/true"));
        d.offer(exec(10, null), now);
        d.offer(exec(11, "/proc/self/fd/3"), now);
        d.offer(exec(12, null), now);
        d.offer(exec(13, null), now);
        d.offer(exec(14, null), now);
        d.endOfBatch(now);

        assertEquals("/memfd:x (deleted)", sent.get(0).extensions().path());
        assertEquals(A, sent.get(0).extensions().sha256());
        assertEquals("/proc/self/fd/3", sent.get(1).extensions().path());
        assertEquals(ProbeEvent.of(ProbeSource.PROCESS_EXEC, 12, "x", 1).extensions(), sent.get(2).extensions(),
                "nothing known: as it came");
        assertEquals("/tmp/big (deleted)", sent.get(3).extensions().path());
        assertNull(sent.get(3).extensions().sha256());
        assertNull(sent.get(4).extensions().path(), "a regular file's name is not given: the probe knew none");
        assertEquals(Wire.VERSION_1_1, sent.get(4).contentVersion());
    }

    @Test
    void releaseAllSendsEverythingInEachProcesssOrder() {
        ExecDigests d = digests(8);
        d.offer(exec(10, "/bin/x"), now);
        d.endOfBatch(now);
        d.offer(exited(10), now);
        d.offer(exec(11, "/bin/y"), now); // not asked yet
        d.releaseAll();

        assertEquals(3, sent.size());
        assertEquals(List.of(ProbeSource.PROCESS_EXEC, ProbeSource.PROCESS_EXITED),
                sent.stream().filter(e -> e.guestPid() == 10).map(ProbeEvent::source).toList());
        assertEquals(0, d.held());
        d.endOfBatch(now);
        assertEquals(1, asked.size(), "nothing left to ask for");
    }

    @Test
    void withoutAHasherEveryEventPassesAsItIs() {
        ExecDigests d = new ExecDigests(null, (pid, at) -> null, sent::add, 1);
        ProbeEvent e = exec(10, "/bin/x");
        d.offer(e, now);
        d.endOfBatch(now);
        assertEquals(List.of(e), sent);
    }
}
