package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.RecordingOutput;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batch window against the real kernel (root): the eBPF programs leave their records unwoken
 * while the loop's promise stands, wake the reader when none does or when the ring fills, and the
 * loop's side keeps its promise's time. The process probe sees the whole machine: a record another
 * process stamped before a promise may still wake the reader after it, which the checks allow.
 */
class WakeWindowTest {
    /** Longer than an agent may choose, so that the checks made inside it are far from its end on a slow machine too. */
    private static final Duration WINDOW = Duration.ofSeconds(1);
    /** How far from the promise's end a check inside it must be made to count. */
    private static final long CHECK_BEFORE_END_NANOS = 300_000_000L;
    private static final int PATIENCE_MILLIS = 30_000;

    @Test
    void recordsWaitUnwokenWhileThePromiseStandsAndWakeTheReaderWhenNoneDoes() throws Exception {
        try (WakeWindow window = new WakeWindow(WINDOW.toNanos());
             EbpfProcessProbe probe = Probe.armed(new EbpfProcessProbe(EbpfProcessProbe.DEFAULT_RING_BYTES, true,
                     new KernelBtf(), window));
             Epoll epoll = new Epoll(4)) {
            epoll.add(probe.fd(), Epoll.EPOLLIN, 0);
            RecordingOutput out = new RecordingOutput();

            long first = runTrue();
            assertEquals(1, epoll.await(PATIENCE_MILLIS), "no promise stands: a record wakes the reader");
            readUntilExited(probe, epoll, out, first);

            boolean checked = false;
            for (int attempt = 0; attempt < 3 && !checked; attempt++) {
                long renewed = System.nanoTime();
                window.renew(renewed, true);
                long promised = renewed + WINDOW.toNanos();
                assertTrue(window.waitMillis(System.nanoTime()) > 0, "the loop waits no longer than it promised");
                emptyRingAndReadyList(probe, epoll, out);
                long child = runTrue();
                while (!exited(out.events, child) && promised - System.nanoTime() > CHECK_BEFORE_END_NANOS) {
                    if (epoll.await(0) > 0) {
                        int from = out.events.size();
                        emptyRingAndReadyList(probe, epoll, out);
                        assertTrue(out.events.subList(from, out.events.size()).stream()
                                        .anyMatch(e -> e.guestMonotonicNs() < renewed + WakeWindow.MARGIN_NANOS),
                                "while the promise stands only a record stamped before it may wake the reader");
                    }
                    if (probe.recordsWaiting()) {
                        probe.onReadable(out);
                    }
                    Thread.sleep(1);
                }
                checked = exited(out.events, child) && promised - System.nanoTime() > CHECK_BEFORE_END_NANOS;
                while (System.nanoTime() - promised <= 0) {
                    Thread.sleep(Math.max(1, window.waitMillis(System.nanoTime())));
                }
                assertEquals(0, window.waitMillis(System.nanoTime()), "a promise due: the loop reads at once");
                window.renew(System.nanoTime(), false);
                assertEquals(-1, window.waitMillis(System.nanoTime()), "kept, with nothing waiting: no promise stands");
            }
            assertTrue(checked, "a child's records were read unwoken inside the window in one of 3 tries");

            emptyRingAndReadyList(probe, epoll, out);
            long last = runTrue();
            assertEquals(1, epoll.await(PATIENCE_MILLIS), "the promise kept: the next record wakes the reader again");
            readUntilExited(probe, epoll, out, last);
        }
    }

    @Test
    void aRingFilledPastAQuarterWakesTheReaderWhateverThePromise() throws Exception {
        try (WakeWindow window = new WakeWindow(Duration.ofMinutes(5).toNanos());
             EbpfProcessProbe probe = Probe.armed(new EbpfProcessProbe(4096, true, new KernelBtf(), window));
             Epoll epoll = new Epoll(4)) {
            epoll.add(probe.fd(), Epoll.EPOLLIN, 0);
            RecordingOutput out = new RecordingOutput();
            window.renew(System.nanoTime(), true);
            emptyRingAndReadyList(probe, epoll, out);
            runTrue(); // its exec's record alone is over a quarter of 4 KiB
            assertEquals(1, epoll.await(PATIENCE_MILLIS), "a promise of 5 minutes, yet the filling ring wakes the reader");
            assertTrue(window.waitMillis(System.nanoTime()) > 60_000, "the promise still stood");
        }
    }

    @Test
    void aWindowIsZeroOrFromAMillisecondToTheLongestAnAgentMayChoose() {
        assertEquals(WakeWindow.NONE, WakeWindow.of(Duration.ZERO));
        assertEquals(-1, WakeWindow.NONE.waitMillis(System.nanoTime()), "no window, no promise");
        WakeWindow.NONE.renew(System.nanoTime(), true);
        assertEquals(-1, WakeWindow.NONE.waitMillis(System.nanoTime()), "nothing to promise without a window");
        assertEquals(Duration.ofMillis(1), WakeWindow.of(Duration.ofMillis(1)).length());
        assertEquals(WakeWindow.MAX, WakeWindow.of(WakeWindow.MAX).length());
        for (Duration bad : List.of(Duration.ofNanos(999_999), WakeWindow.MAX.plusMillis(1), Duration.ofMillis(-1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WakeWindow.of(bad));
            assertTrue(e.getMessage().contains("1ms to 100ms"), e.getMessage());
        }
    }

    /** Runs {@code /bin/true} to its end; its pid. */
    private static long runTrue() throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        assertEquals(0, p.waitFor());
        return p.pid();
    }

    private static boolean exited(List<ProbeEvent> events, long pid) {
        return events.stream().anyMatch(e -> e.source() == ProbeSource.PROCESS_EXITED && e.guestPid() == pid);
    }

    /** Reads, as the reader woken, until {@code pid}'s exit is among what {@code out} got. */
    private static void readUntilExited(EbpfProcessProbe probe, Epoll epoll, RecordingOutput out, long pid) throws Exception {
        long until = System.nanoTime() + PATIENCE_MILLIS * 1_000_000L;
        probe.onReadable(out);
        while (!exited(out.events, pid)) {
            assertTrue(System.nanoTime() - until < 0, "pid " + pid + "'s exit was read");
            epoll.await(100);
            probe.onReadable(out);
        }
    }

    /**
     * Reads the ring empty and takes it off the epoll's ready list: a level-triggered fd that was
     * reported stays there until a wait finds it empty, and would report records that did not wake it.
     */
    private static void emptyRingAndReadyList(EbpfProcessProbe probe, Epoll epoll, RecordingOutput out) throws Exception {
        do {
            probe.onReadable(out);
        } while (epoll.await(0) > 0);
    }
}
