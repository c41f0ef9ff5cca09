package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Bpf;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Fd;
import io.cellos.telemetry.guest.linux.PerfEvent;
import io.cellos.telemetry.guest.linux.TraceEvent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The programs a probe loaded, the maps it made beside its ring, and what runs the programs: a perf
 * event for a tracepoint program ({@link #attach}), a BPF link for a cgroup hook's ({@link #link}).
 * An attachment belongs to its descriptor, so closing it detaches the program, and the death of the
 * agent leaves nothing behind in the kernel.
 *
 * <p>Ownership: every fd handed to {@link #own} or made here, until {@link #close}. {@link #detach}
 * closes the attachments first, so that nothing more runs, and leaves the rest; {@link #close}
 * detaches, then closes the programs and maps in reverse order of making. Confined to one thread.
 */
final class AttachedPrograms implements AutoCloseable {
    private final List<Fd> owned = new ArrayList<>();
    private final List<Fd> attachments = new ArrayList<>();

    /** Takes {@code fd} (a map or a program) to close with the rest; returns it. */
    Fd own(Fd fd) {
        owned.add(fd);
        return fd;
    }

    /**
     * Loads {@code program} as a tracepoint program named {@code name} and runs it on {@code tp}.
     *
     * @throws io.cellos.telemetry.guest.linux.BpfLoadException with the verifier's log if it is refused
     * @throws ErrnoException naming the call that failed
     */
    void attach(TraceEvent tp, EbpfProgram program, String name) throws IOException {
        Fd prog = own(Bpf.loadProgram(Bpf.PROG_TYPE_TRACEPOINT, program, name));
        attachments.add(PerfEvent.attach(tp, prog));
    }

    /**
     * Loads {@code program} as a {@code programType} program named {@code name}, expecting
     * {@code attachType}, and links it to {@code target} (a cgroup's directory) there.
     *
     * @throws io.cellos.telemetry.guest.linux.BpfLoadException with the verifier's log if it is refused
     * @throws ErrnoException naming the call that failed
     */
    void link(Fd target, int attachType, EbpfProgram program, int programType, String name) throws IOException {
        Fd prog = own(Bpf.loadProgram(programType, attachType, program, name));
        attachments.add(Bpf.createLink(prog, target, attachType));
    }

    /** How many attachments there are: a mark for {@link #detachFrom}. */
    int attachments() {
        return attachments.size();
    }

    /** Detaches those attached since {@code mark} ({@link #attachments}); their programs stay owned. */
    void detachFrom(int mark) {
        List<Fd> since = attachments.subList(mark, attachments.size());
        since.forEach(Fd::close);
        since.clear();
    }

    /** Stops the programs: nothing more runs; the programs and maps stay until {@link #close}. */
    void detach() {
        detachFrom(0);
    }

    /** Detaches and closes everything; the kernel unloads the programs and frees the maps. */
    @Override
    public void close() {
        detach();
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
