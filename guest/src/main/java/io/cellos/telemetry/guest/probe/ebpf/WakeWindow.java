package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Bpf;
import io.cellos.telemetry.guest.linux.BpfHelper;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.EbpfProgram.Size;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.wire.Durations;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;

import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.GE;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.GT;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R1;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R3;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R7;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * How long the eBPF programs may leave their records in the rings before the agent's loop reads
 * them ({@code --batch-window}): events that come together are read, attributed and sent in one
 * wake of the loop, with one {@code epoll_wait} and one send, instead of one each. On the guest
 * those two system calls, the scheduling around them and the host's wake-up are most of what an
 * event costs the agent (BENCHMARKS.md, "Batching the agent's wakes").
 *
 * <p>An agreement between the loop and the programs, through one {@code u64} both map: the time
 * ({@code CLOCK_MONOTONIC} nanoseconds) by which the loop has promised to read the rings again.
 * <ul>
 * <li>A program {@linkplain #submit submits} its record without waking the reader
 *     ({@code BPF_RB_NO_WAKEUP}) when the record's stamp plus {@link #MARGIN_NANOS} is before the
 *     promise; otherwise by the kernel's own rule (the reader is woken if it had read everything
 *     before this record), so the first record after a quiet window wakes the loop at once. A ring
 *     filled past a quarter wakes it in any case ({@code BPF_RB_FORCE_WAKEUP}), so that a burst
 *     is read before the ring could overflow, whatever the window.
 * <li>The loop, in each wake, reads every ring whose records wait, and when records wait and no
 *     promise stands {@linkplain #renew promises} to read them again one window from now; it
 *     waits no longer than {@linkplain #waitMillis the promise}, and comes back at once when a ring
 *     held more than one wake's bound of records.
 * </ul>
 * A record is reserved (which advances the ring's producer position, so that the loop sees it
 * waiting, written or not) before it is stamped, and goes unwoken only if it was stamped at least
 * the margin before the promise: so the loop's wake at the promise finds it waiting, reads it, or,
 * if it is still being written, promises again and reads it one window later. A record therefore
 * waits about one window, never forever, and at a high rate the loop wakes about once per window
 * instead of once per record. A promise past is no promise to the programs: the loop keeps it by
 * reading in a wake at or after it, and need not withdraw it.
 *
 * <p>A window of zero ({@link #NONE}) keeps the kernel's own rule for every record; no map is
 * made.
 *
 * <p>Owns its map and mapping from {@link #open} to {@link #close}; the programs hold the map too,
 * so it lives as long as the last of them. Confined to the loop's thread.
 */
public final class WakeWindow implements AutoCloseable {
    /** No window: every record wakes a reader that has caught up, as the kernel does by default. */
    public static final WakeWindow NONE = new WakeWindow(0);
    /**
     * The default: none. An event's delay stays what a wake costs, and nothing waits in the kernel
     * that a sudden end of the VM would take with it; a window trades both for the agent's CPU
     * (BENCHMARKS.md, "Batching the agent's wakes").
     */
    public static final Duration DEFAULT = Duration.ZERO;
    /** The longest window: events held longer would be a record late, and lost with a VM that ends. */
    public static final Duration MAX = Duration.ofMillis(100);
    /**
     * How long before the promise a record wakes the loop anyway: it covers the time from the
     * record's stamp (taken when it is reserved) to its submission.
     */
    static final long MARGIN_NANOS = 200_000;
    /** {@code BPF_RB_NO_WAKEUP} and {@code BPF_RB_FORCE_WAKEUP}, {@code bpf_ringbuf_submit}'s flags; 0 is the kernel's rule. */
    static final int NO_WAKEUP = 1;
    static final int FORCE_WAKEUP = 2;
    /** {@code bpf_ringbuf_query}'s {@code BPF_RB_AVAIL_DATA}: the bytes not yet consumed. */
    private static final int AVAIL_DATA = 0;
    private static final VarHandle U64 = JAVA_LONG.varHandle();
    private static final String NAME = "cellos_window";

    private final long nanos;
    private Fd map;
    private MemorySegment promise;
    /** The loop's copy of the promise; 0 before the first. */
    private long promised;

    /** A window of {@code nanos}, whatever its length (tests use long ones); 0 for {@link #NONE}. */
    WakeWindow(long nanos) {
        this.nanos = nanos;
    }

    /**
     * A window of {@code length}: {@link #NONE} for zero, else a window whose map {@link #open}
     * makes.
     *
     * @throws IllegalArgumentException if {@code length} is negative, under a millisecond but not
     *                                  zero (the loop waits in milliseconds), or longer than {@link #MAX}
     */
    public static WakeWindow of(Duration length) {
        if (length.isZero()) {
            return NONE;
        }
        if (length.isNegative() || length.compareTo(Duration.ofMillis(1)) < 0 || length.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("a batch window is 0 (off) or from 1ms to " + Durations.format(MAX)
                    + ", got " + (length.toNanos() % 1_000_000 == 0 ? Durations.format(length) : length.toNanos() + "ns"));
        }
        return new WakeWindow(length.toNanos());
    }

    /** The window's length; zero for {@link #NONE}. */
    public Duration length() {
        return Duration.ofNanos(nanos);
    }

    /**
     * Makes the map the programs read the promise from and maps it, once; does nothing for
     * {@link #NONE} or when already open. The first ring made under the window opens it.
     *
     * @throws ErrnoException naming the map or mapping that failed; nothing is left behind
     */
    public void open() throws ErrnoException {
        if (nanos == 0 || map != null) {
            return;
        }
        Fd m = Bpf.createMap(Bpf.MAP_TYPE_ARRAY, 4, Long.BYTES, 1, Bpf.MAP_F_MMAPABLE, NAME);
        try {
            promise = Libc.mmap(Long.BYTES, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, m.get(), 0,
                    NAME + " value");
        } catch (ErrnoException | RuntimeException e) {
            m.close();
            throw e;
        }
        map = m;
    }

    /**
     * Appends to {@code p}: submit the record in {@code r7} (its header {@linkplain RecordHeader#stamp
     * stamped}) to the ring whose map is {@code ringFd}, of {@code ringBytes}, waking the reader as
     * the window says. Clobbers {@code r0}–{@code r5}.
     *
     * @throws IllegalStateException if the window is not {@link #open}
     */
    void submit(EbpfProgram p, int ringFd, int ringBytes) {
        if (nanos == 0) {
            p.mov(R1, R7)
                    .movImm(R2, 0)                                            // the kernel's rule
                    .call(BpfHelper.RINGBUF_SUBMIT);
            return;
        }
        if (map == null) {
            throw new IllegalStateException("the batch window's map is not made: open() first");
        }
        String submit = "window_" + p.slots();
        p.loadMapFd(R1, ringFd)
                .movImm(R2, AVAIL_DATA)
                .call(BpfHelper.RINGBUF_QUERY)                                // r0 = bytes not yet read
                .movImm(R3, FORCE_WAKEUP)
                .jumpIf(R0, GT, ringBytes / 4, submit)                        // a quarter full: wake now
                .movImm(R3, 0)                                                // else the kernel's rule...
                .loadMapValue(R1, map.get(), 0)
                .load(Size.DW, R1, R1, 0)                                     // r1 = the promise, or 0
                .load(Size.DW, R2, R7, RecordHeader.NANOS)                    // r2 = the record's stamp
                .addImm(R2, (int) MARGIN_NANOS)
                .jumpIfReg(R2, GE, R1, submit)                                // ...when no promise covers it
                .movImm(R3, NO_WAKEUP)                                        // the loop comes by the promise
                .label(submit)
                .mov(R1, R7)
                .mov(R2, R3)
                .call(BpfHelper.RINGBUF_SUBMIT);
    }

    /**
     * The loop, in a wake at {@code now} ({@link System#nanoTime}), before it reads the rings: a
     * promise that falls due is kept by this wake's reading; then, when records wait in the rings
     * ({@code waiting}) and no promise stands, promises to read them again one window from now.
     */
    public void renew(long now, boolean waiting) {
        if (map == null || (promised != 0 && promised - now > 0)) {
            return; // no window (or no program under it), or a promise stands
        }
        promised = waiting ? now + nanos : 0;
        if (waiting) {
            U64.setRelease(promise, 0L, promised); // a promise past needs no withdrawal
        }
    }

    /**
     * How long the loop may wait at {@code now} before it must read the rings to keep its promise,
     * in milliseconds rounded up, for {@code epoll_wait}: 0 when the promise is due, -1 (no limit)
     * when none stands.
     */
    public int waitMillis(long now) {
        if (promised == 0) {
            return -1;
        }
        long left = promised - now;
        return left <= 0 ? 0 : (int) ((left + 999_999) / 1_000_000);
    }

    @Override
    public void close() {
        if (map != null) {
            Libc.munmap(promise);
            map.close();
            map = null;
            promised = 0;
        }
    }
}
