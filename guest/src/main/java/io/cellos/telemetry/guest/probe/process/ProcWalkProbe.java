package io.cellos.telemetry.guest.probe.process;

import io.cellos.telemetry.guest.linux.ProcFs;
import io.cellos.telemetry.guest.linux.TimerFd;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.guest.probe.ProcessEvents;

import java.io.IOException;
import java.time.Duration;

/**
 * Processes, by walking {@code /proc} at a fixed interval and comparing what it lists with the
 * previous walk, as the reference agent does: the fallback when the process connector cannot be
 * used. A process is declared {@code process.spawned} when a walk first lists it ({@code parent_pid}
 * and {@code guest_comm} from its {@code stat}) and {@code process.exited} when a walk no longer
 * does (no {@code exit_code}: the walk cannot know it). Both carry the walk's time. There is no
 * {@code process.exec}, and a process that starts and ends between two walks is never seen: that
 * is the mechanism's limit, and why it is only the fallback.
 *
 * <p>The walk at {@link #arm} is the baseline and declares nothing. The agent's
 * {@link io.cellos.telemetry.guest.probe.KnownProcesses} hears of each change before it is declared,
 * parents before children.
 *
 * <p>Confined to the loop thread, which its timerfd wakes. Owns the timerfd (from {@link #arm} to
 * {@link #close}). A walk in which nothing changed allocates nothing.
 */
final class ProcWalkProbe implements Probe {
    /** The reference agent's interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(100);

    private final ProcessEvents events;
    private final Duration interval;
    private final PidTable table = new PidTable(ProcConnectorProbe.MAX_PROCESSES);
    private final Walk walk = new Walk();
    private TimerFd timer;
    private ProcFs procFs;
    private ProcScan scan;

    /** A walk every {@linkplain #DEFAULT_INTERVAL 100 ms}. */
    public ProcWalkProbe() {
        this(DEFAULT_INTERVAL);
    }

    public ProcWalkProbe(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the /proc walk interval must be positive, not " + interval);
        }
        this.events = new ProcessEvents(false);
        this.interval = interval;
    }

    @Override
    public String description() {
        return "processes (/proc walk every " + interval.toMillis() + " ms)";
    }

    /**
     * Takes the baseline walk and starts the timer.
     *
     * @throws IOException naming the call that failed ({@code timerfd_create}, {@code open(/proc)}, ...)
     */
    @Override
    public void arm() throws IOException {
        if (timer != null) {
            throw new IllegalStateException(description() + " is armed already");
        }
        TimerFd t = new TimerFd();
        ProcFs fs = new ProcFs();
        try {
            ProcScan s = new ProcScan(fs, table);
            s.baseline();
            t.arm(interval.toNanos(), interval.toNanos());
            scan = s;
        } catch (IOException | RuntimeException e) {
            fs.close();
            t.close();
            throw e;
        }
        timer = t;
        procFs = fs;
    }

    /** The timerfd. */
    @Override
    public int fd() {
        return timer.fd();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        if (timer.drain() == 0) {
            return;
        }
        walk.out = out;
        walk.nanos = System.nanoTime();
        try {
            scan.diff(walk);
        } finally {
            walk.out = null;
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.close();
            procFs.close();
            timer = null;
        }
    }

    /** Declares one walk's changes; kept for the probe's life so that a walk allocates nothing. */
    private final class Walk implements ProcScan.Changes {
        private ProbeOutput out;
        private long nanos;

        @Override
        public void appeared(int pid, int parent, String comm) {
            events.spawned(out, nanos, pid, parent, comm);
        }

        @Override
        public void vanished(int pid, String comm) {
            table.remove(table.find(pid));
            events.exited(out, nanos, pid, comm, -1);
        }
    }
}
