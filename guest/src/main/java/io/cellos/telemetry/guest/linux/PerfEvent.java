package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Attaches an eBPF program to a tracepoint the classic way ({@code <linux/perf_event.h>}): a
 * {@code perf_event_open} of the tracepoint, {@code PERF_EVENT_IOC_SET_BPF} with the program, then
 * {@code PERF_EVENT_IOC_ENABLE}. The program then runs on every CPU each time the tracepoint fires,
 * until the perf event's descriptor is closed, which detaches it.
 *
 * <p>Stateless.
 */
public final class PerfEvent {
    private static final int PERF_TYPE_TRACEPOINT = 2;
    /** {@code sizeof(struct perf_event_attr)} as of {@code PERF_ATTR_SIZE_VER8}. */
    private static final int ATTR_BYTES = 136;
    private static final long PERF_FLAG_FD_CLOEXEC = 1L << 3;
    /** {@code _IOW('$', 8, __u32)}. */
    private static final long PERF_EVENT_IOC_SET_BPF = 0x40042408L;
    /** {@code _IO('$', 0)}. */
    private static final long PERF_EVENT_IOC_ENABLE = 0x2400L;
    private static final Syscall PERF_EVENT_OPEN = new Syscall("perf_event_open");
    private static final Syscall IOCTL = new Syscall("ioctl");

    private PerfEvent() {
    }

    /**
     * Runs {@code program} (a {@code BPF_PROG_TYPE_TRACEPOINT} program) on {@code event} from now on.
     *
     * @return the perf event, whose closing detaches the program; the caller's to close
     * @throws ErrnoException naming the call, the tracepoint and the errno
     */
    public static Fd attach(TraceEvent event, Fd program) throws ErrnoException {
        Fd perf;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, PERF_TYPE_TRACEPOINT);
            attr.set(JAVA_INT, 4, ATTR_BYTES);
            attr.set(JAVA_LONG, 8, event.id());
            attr.set(JAVA_LONG, 16, 1L); // sample_period: every hit runs the program
            attr.set(JAVA_INT, 48, 1); // wakeup_events
            // pid -1, cpu 0: a tracepoint's program runs wherever it fires, whichever CPU the event names
            perf = new Fd((int) PERF_EVENT_OPEN.call(event.name(), attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC),
                    "perf event " + event.name());
        }
        try {
            IOCTL.call("PERF_EVENT_IOC_SET_BPF, " + event.name(), perf.get(), PERF_EVENT_IOC_SET_BPF, program.get());
            IOCTL.call("PERF_EVENT_IOC_ENABLE, " + event.name(), perf.get(), PERF_EVENT_IOC_ENABLE, 0);
            return perf;
        } catch (ErrnoException e) {
            perf.close();
            throw e;
        }
    }
}
