package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingNamesTest {
    private static ProbeEvent unnamed(int pid, String path) {
        return ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, pid, "?", 5).withExtensions(Extensions.NONE.withPath(path));
    }

    @Test
    void aNameReleasesItsProcesssEventsNamedAndTheRestWaitTheirTurn() {
        PendingNames pending = new PendingNames(8);
        List<ProbeEvent> out = new ArrayList<>();
        assertTrue(pending.hold(unnamed(10, "/a"), 0));
        assertTrue(pending.hold(unnamed(11, "/b"), 1));
        assertTrue(pending.hold(unnamed(10, "/c"), 2));
        assertEquals(PendingNames.WAIT_NANOS, pending.nextDeadline());

        pending.releaseNamed(pid -> null, out::add);
        assertEquals(List.of(), out, "no name known yet: all wait");
        pending.releaseNamed(pid -> pid == 10 ? "writer-proc" : null, out::add);
        assertEquals(List.of("/a", "/c"), out.stream().map(e -> e.extensions().path()).toList());
        assertTrue(out.stream().allMatch(e -> e.guestComm().equals("writer-proc") && e.guestPid() == 10));
        assertEquals(5, out.getFirst().guestMonotonicNs(), "the probe's stamp is kept");

        out.clear();
        pending.releaseDue(PendingNames.WAIT_NANOS, out::add);
        assertEquals(List.of(), out, "pid 11 waits until its own deadline");
        pending.releaseDue(PendingNames.WAIT_NANOS + 1, out::add);
        assertEquals(1, out.size());
        assertEquals("?", out.getFirst().guestComm(), "no name came: released as it was");
        assertEquals(Long.MAX_VALUE, pending.nextDeadline());
    }

    @Test
    void fullItHoldsNothingMoreAndAtTheEndItReleasesEverything() {
        PendingNames pending = new PendingNames(2);
        assertTrue(pending.hold(unnamed(1, "/a"), 0));
        assertTrue(pending.hold(unnamed(2, "/b"), 0));
        assertFalse(pending.hold(unnamed(3, "/c"), 0), "full: the caller sends it on unnamed");
        List<ProbeEvent> out = new ArrayList<>();
        pending.releaseAll(out::add);
        assertEquals(2, out.size());
        assertEquals(Long.MAX_VALUE, pending.nextDeadline());
    }
}
