package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link ProcessExecutables} with synthetic events and a synthetic {@code /proc/PID/exe}: no kernel. */
class ProcessExecutablesTest {
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);
    static final int AGENT = 99;

    final List<ProbeEvent> sent = new ArrayList<>();
    /** What {@code /proc/PID/exe} shows, by pid; a pid not here is gone. */
    final Map<Integer, String> proc = new HashMap<>();
    /** The pids whose {@code /proc/PID/exe} was read, in order. */
    final List<Integer> read = new ArrayList<>();

    ProcessExecutables exes(int capacity) {
        return new ProcessExecutables(sent::add, pid -> {
            read.add(pid);
            return proc.get(pid);
        }, AGENT, capacity);
    }

    static ProbeEvent exec(int pid, String path, String sha256) {
        Extensions x = path == null ? Extensions.NONE : Extensions.NONE.withPath(path);
        return ProbeEvent.of(ProbeSource.PROCESS_EXEC, pid, "python3", 1).withExtensions(sha256 == null ? x : x.withSha256(sha256));
    }

    static ProbeEvent connect(int pid) {
        return ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, pid, "sshd", 2)
                .withExtensions(Extensions.NONE.withPeer("127.0.0.1:22"));
    }

    static ProbeEvent of(ProbeSource source, int pid) {
        return ProbeEvent.of(source, pid, "sshd", 2).withExtensions(Extensions.NONE.withSyscall(1));
    }

    static ProbeEvent spawned(int pid, int parent) {
        return ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, pid, "x", 3).withExtensions(Extensions.NONE.withParentPid(parent));
    }

    static ProbeEvent exited(int pid) {
        return ProbeEvent.of(ProbeSource.PROCESS_EXITED, pid, "x", 4);
    }

    ProbeEvent last() {
        return sent.getLast();
    }

    @ParameterizedTest
    @EnumSource(value = ProbeSource.class, names = {"NET_CONNECT_ATTEMPTED", "FS_INOTIFY_FIRED", "CAPABILITY_DENIED"})
    void anEventOfAProcessCarriesThePathAndHashOfItsLastExec(ProbeSource source) {
        ProcessExecutables x = exes(16);
        x.accept(exec(7, "/usr/bin/python3.13", A));
        x.accept(of(source, 7));
        assertEquals("/usr/bin/python3.13", last().extensions().exe());
        assertEquals(A, last().extensions().sha256());
        assertEquals(1, last().extensions().syscall(), "its own keys are kept");
        assertEquals(List.of(), read, "an exec's absolute path needs no /proc");
    }

    @Test
    void everyEventPassesInOrderAndOnlyTheFourSourcesAreAnnotated() {
        ProcessExecutables x = exes(16);
        List<ProbeEvent> in = new ArrayList<>(List.of(spawned(7, 1), exec(7, "/bin/sh", A)));
        for (ProbeSource s : ProbeSource.values()) {
            if (s != ProbeSource.PROCESS_SPAWNED && s != ProbeSource.PROCESS_EXEC && s != ProbeSource.PROCESS_EXITED) {
                in.add(ProbeEvent.of(s, 7, "sh", 5));
            }
        }
        in.add(exited(7));
        in.forEach(x);
        assertEquals(in.size(), sent.size());
        for (int i = 0; i < in.size(); i++) {
            ProbeSource s = in.get(i).source();
            boolean annotated = s == ProbeSource.NET_CONNECT_ATTEMPTED || s == ProbeSource.NET_RAW_SOCKET_OPENED
                    || s == ProbeSource.FS_INOTIFY_FIRED || s == ProbeSource.CAPABILITY_DENIED;
            if (annotated) {
                assertEquals("/bin/sh", sent.get(i).extensions().exe(), s.wireName());
            } else {
                assertSame(in.get(i), sent.get(i), s.wireName());
            }
        }
    }

    @Test
    void aLaterExecReplacesTheProgram() {
        ProcessExecutables x = exes(16);
        x.accept(exec(7, "/bin/sh", A));
        x.accept(exec(7, "/usr/bin/curl", B));
        x.accept(connect(7));
        assertEquals("/usr/bin/curl", last().extensions().exe());
        assertEquals(B, last().extensions().sha256());
    }

    @Test
    void anExecWithoutAHashGivesThePathAlone() {
        ProcessExecutables x = exes(16);
        x.accept(exec(7, "/bin/sh", A));
        x.accept(exec(7, "/usr/bin/curl", null)); // late, or the process gone: not the earlier program's hash
        x.accept(connect(7));
        assertEquals("/usr/bin/curl", last().extensions().exe());
        assertNull(last().extensions().sha256());
    }

    @Test
    void aProcessTheAgentNeverSawExecIsReadFromProcOnceWithoutAHash() {
        ProcessExecutables x = exes(16);
        proc.put(1, "/usr/lib/systemd/systemd");
        x.accept(connect(1));
        x.accept(of(ProbeSource.CAPABILITY_DENIED, 1));
        assertEquals("/usr/lib/systemd/systemd", sent.get(0).extensions().exe());
        assertEquals("/usr/lib/systemd/systemd", sent.get(1).extensions().exe());
        assertNull(last().extensions().sha256());
        assertEquals(List.of(1), read);
    }

    @Test
    void aProcessGoneBeforeItsReadGoesWithoutExeAndIsNotAskedAgain() {
        ProcessExecutables x = exes(16);
        x.accept(connect(8));
        x.accept(connect(8));
        assertNull(sent.get(0).extensions().exe());
        assertNull(last().extensions().exe());
        assertEquals(List.of(8), read);
    }

    /** Under bpf an exec's path is the name execve was given: kept when absolute, else /proc's, with the exec's hash. */
    @ParameterizedTest
    @ValueSource(strings = {"python3", "./bin/python3", "/proc/self/fd/3", "/dev/fd/3", ""})
    void aNameThatMeansNothingOutsideTheProcessIsReplacedByProcs(String given) {
        ProcessExecutables x = exes(16);
        proc.put(7, "/usr/bin/python3.13");
        x.accept(exec(7, given.isEmpty() ? null : given, A));
        x.accept(connect(7));
        x.accept(connect(7));
        assertEquals("/usr/bin/python3.13", last().extensions().exe());
        assertEquals(A, last().extensions().sha256());
        assertEquals(List.of(7), read, "read once");
    }

    @Test
    void aForkedChildRunsItsParentsProgramUntilItExecs() {
        ProcessExecutables x = exes(16);
        x.accept(exec(7, "/usr/bin/python3.13", A));
        x.accept(spawned(8, 7));
        x.accept(connect(8));
        assertEquals("/usr/bin/python3.13", last().extensions().exe());
        assertEquals(A, last().extensions().sha256());
        x.accept(exec(8, "/bin/sh", B));
        x.accept(connect(8));
        assertEquals("/bin/sh", last().extensions().exe());
        x.accept(connect(7));
        assertEquals("/usr/bin/python3.13", last().extensions().exe(), "the parent keeps its own");
        assertEquals(List.of(), read);
    }

    @Test
    void anExitForgetsTheProcessAndAReusedPidIsNotGivenTheOldProgram() {
        ProcessExecutables x = exes(16);
        x.accept(exec(7, "/usr/bin/python3.13", A));
        x.accept(exited(7));
        assertEquals(0, x.size());
        x.accept(exec(7, "/usr/bin/python3.13", A));
        x.accept(spawned(7, 1)); // a spawn of a parent the agent knows nothing of: the pid is someone new
        proc.put(7, "/usr/bin/nc");
        x.accept(connect(7));
        assertEquals("/usr/bin/nc", last().extensions().exe());
        assertNull(last().extensions().sha256());
    }

    @Test
    void theAgentsOwnEventsAreLeftAlone() {
        ProcessExecutables x = exes(16);
        proc.put(AGENT, "/usr/lib/jvm/bin/java");
        ProbeEvent e = of(ProbeSource.FS_INOTIFY_FIRED, AGENT);
        x.accept(e);
        assertSame(e, last());
        assertEquals(List.of(), read);
    }

    @Test
    void aKeyTheEventAlreadyCarriesIsKept() {
        ProcessExecutables x = exes(16);
        x.accept(exec(7, "/bin/sh", A));
        x.accept(connect(7).withExtensions(Extensions.NONE.withExe("/probe/said").withSha256(B)));
        assertEquals("/probe/said", last().extensions().exe());
        assertEquals(B, last().extensions().sha256());
    }

    @Test
    void theLeastRecentlyUsedAreForgottenPastTheCapacity() {
        ProcessExecutables x = exes(3);
        for (int pid = 1; pid <= 4; pid++) {
            x.accept(exec(pid, "/bin/p" + pid, A));
        }
        assertEquals(3, x.size());
        proc.put(1, "/bin/p1");
        x.accept(connect(1));
        assertEquals("/bin/p1", last().extensions().exe());
        assertNull(last().extensions().sha256(), "forgotten: read again from /proc, without the hash");
        assertEquals(List.of(1), read);
        assertEquals(3, x.size());
    }

    /** An exe that would make the body too large is left off: the event itself must not be lost. */
    @Test
    void anExeThatWouldNotFitTheFrameIsLeftOffAndTheEventStillFits() throws Exception {
        ProcessExecutables x = exes(16);
        String deep = "/" + "d/".repeat(1_900) + "python3";
        x.accept(exec(7, deep, A));
        ProbeEvent file = ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, 7, "sshd", 2)
                .withExtensions(Extensions.NONE.withPath("/etc/" + "x".repeat(200)));
        x.accept(file);
        assertNull(last().extensions().exe());
        assertEquals(A, last().extensions().sha256());
        new FrameEncoder().encode(last(), new byte[Wire.MAX_FRAME_BYTES], 0);
        x.accept(connect(7));
        assertEquals(deep, last().extensions().exe(), "beside a short peer it fits");
        new FrameEncoder().encode(last(), new byte[Wire.MAX_FRAME_BYTES], 0);
    }
}
