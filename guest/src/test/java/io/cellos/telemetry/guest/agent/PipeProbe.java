package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.OpenFlags;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A probe driven by a real pipe: every byte a test writes becomes one event (by default a
 * {@code process.spawned}) whose pid is its sequence number. Lets agent tests generate exactly as
 * many observations as they want, through the agent's real epoll loop.
 */
final class PipeProbe implements Probe {
    private final IntFunction<ProbeEvent> event;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf = arena.allocate(4096);
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private Fd readEnd;
    private Fd writeEnd;
    private int next;

    PipeProbe() {
        this(pid -> ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, pid, "gen", System.nanoTime()));
    }

    /** @param event the event a byte becomes, given its sequence number */
    PipeProbe(IntFunction<ProbeEvent> event) {
        this.event = event;
    }

    @Override
    public String description() {
        return "test events (pipe)";
    }

    @Override
    public void arm() throws ErrnoException {
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        Libc.PIPE2.call("test", fds, OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC);
        readEnd = new Fd(fds.getAtIndex(JAVA_INT, 0), "test pipe (read)");
        writeEnd = new Fd(fds.getAtIndex(JAVA_INT, 1), "test pipe (write)");
    }

    @Override
    public int fd() {
        return readEnd.get();
    }

    @Override
    public void onReadable(ProbeOutput out) {
        reads.incrementAndGet();
        long n;
        while ((n = Libc.read(readEnd.get(), buf, buf.byteSize())) > 0) {
            for (long i = 0; i < n; i++) {
                out.emit(event.apply(++next));
            }
            read.addAndGet(n);
        }
    }

    /** Generates {@code n} events (from any thread); waits while the pipe is full. */
    void generate(int n) throws Exception {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment bytes = a.allocate(Math.max(1, n));
            int done = 0;
            while (done < n) {
                long w = Libc.WRITE.callOrErrno(writeEnd.get(), bytes.asSlice(done), (long) (n - done));
                if (w > 0) {
                    done += (int) w;
                } else {
                    Thread.sleep(1); // the pipe is full until the loop reads it
                }
            }
        }
    }

    /** How many times the agent read the probe ({@link #onReadable}), whether or not its pipe held anything. */
    long reads() {
        return reads.get();
    }

    /** Bytes (so events) the agent has taken from the pipe. */
    long consumed() {
        return read.get();
    }

    @Override
    public void close() {
        if (readEnd != null) {
            readEnd.close();
            writeEnd.close();
        }
        arena.close();
    }
}
