package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.linux.ReadyGroup;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit probe's timer against the real kernel, in a {@link ReadyGroup} watched by an {@link
 * Epoll} as the agent's loop watches it: the group must never stay readable for a timer the probe
 * took for expired (the loop would spin), nor miss one.
 */
class DueTimerTest {
    private static final long MS = 1_000_000L;

    @Test
    void aTimerThatWokeTheGroupIsExpiredAndLeavesItQuiet() throws Exception {
        try (ReadyGroup group = new ReadyGroup("test group"); Epoll loop = new Epoll(1);
             DueTimer timer = new DueTimer(group)) {
            loop.add(group.fd(), Epoll.EPOLLIN, 0);
            assertFalse(timer.expired(System.nanoTime()), "not armed, not expired");
            timer.arm(20 * MS);
            assertTrue(timer.armed());
            assertFalse(timer.expired(System.nanoTime()), "not due yet");
            assertEquals(1, loop.await(5_000), "the timer woke the group");
            assertTrue(timer.expired(System.nanoTime()), "a wake of the timer finds it due");
            assertFalse(timer.armed());
            assertEquals(0, loop.await(0), "and the group quiet");
            assertFalse(timer.expired(System.nanoTime()), "expired once");
        }
    }

    @Test
    void aTimerFoundDueBeforeTheKernelCountedItsExpiryLeavesTheGroupQuietToo() throws Exception {
        try (ReadyGroup group = new ReadyGroup("test group"); Epoll loop = new Epoll(1);
             DueTimer timer = new DueTimer(group)) {
            loop.add(group.fd(), Epoll.EPOLLIN, 0);
            timer.arm(50 * MS);
            // a wake for records whose clock reading is past the due time, the kernel's expiry not yet counted
            assertTrue(timer.expired(System.nanoTime() + 60 * MS));
            assertEquals(0, loop.await(150), "the kernel's expiry was cancelled with it");
        }
    }

    @Test
    void armingAgainReplacesTheDueTime() throws Exception {
        try (ReadyGroup group = new ReadyGroup("test group"); Epoll loop = new Epoll(1);
             DueTimer timer = new DueTimer(group)) {
            loop.add(group.fd(), Epoll.EPOLLIN, 0);
            timer.arm(10 * MS);
            timer.arm(10_000 * MS);
            assertEquals(0, loop.await(100), "the first due time is gone");
            assertFalse(timer.expired(System.nanoTime() + 100 * MS));
        }
    }
}
