package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.exec.FileKey;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.TraceEvent;
import io.cellos.telemetry.guest.linux.Tracefs;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.guest.probe.ProcessEvents;
import io.cellos.telemetry.wire.CommandLine;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Processes, from eBPF programs on the kernel's tracepoints ({@link ProcessPrograms}), read from a
 * BPF ring buffer: {@code process.spawned} on every fork of a new process, {@code process.exec} on
 * every exec, {@code process.exited} when a process's last thread ends — the events the connector
 * probe declares, told to the agent's {@link io.cellos.telemetry.guest.probe.KnownProcesses} in the
 * same order ({@link ProcessEvents}). Threads are not declared. Everything is what the kernel had at
 * the event, nothing is read from {@code /proc} later:
 * <ul>
 * <li>spawned: {@code guest_pid} the child, {@code parent_pid} the process that forked it (for a
 *     {@code CLONE_PARENT} child, that is the forker, not the parent the kernel gave it),
 *     {@code guest_comm} the forking thread's name, which the child is born with;
 * <li>exec: {@code guest_comm} the new name, {@code path} the file name as {@code execve} was given it
 *     (relative if it was; {@code /dev/fd/N} for an {@code fexecve}; for a script, the script),
 *     cut at {@value ProcessPrograms#PATH_BYTES} bytes less its NUL; {@code cmdline} the new
 *     program's arguments as the kernel laid them out at the exec (for a script, the interpreter's
 *     command line, which names the script), formatted and cut as protocol §4 says
 *     ({@link CommandLine}), marked cut too when the argument area was longer than the
 *     {@value ProcessPrograms#ARGS_BYTES} bytes the program copies; and, told to the agent rather than
 *     declared, the key of the executed file from its inode ({@link io.cellos.telemetry.guest.exec.FileKey}),
 *     by which the agent finds the file's {@code sha256} without {@code /proc/PID/exe};
 * <li>exited: {@code guest_comm} the process's name (the last name known when a thread other than
 *     the leader ended last); {@code exit_code} the wait status, {@code task->exit_code} at the
 *     offset the kernel's BTF gives.
 * </ul>
 * {@code guest_monotonic_ns} is the kernel's stamp of the event ({@code bpf_ktime_get_ns}, {@code CLOCK_MONOTONIC}).
 *
 * <p>Losses: an event the programs saw while the ring was full is counted in the kernel, and the
 * count reaches {@link ProbeOutput#lost}; events seen = declared + lost, exactly ({@link #seen}).
 *
 * <p>Confined to the loop thread, which the ring buffer's fd wakes level-triggered; it handles at
 * most {@value #RECORDS_PER_WAKEUP} records per wake-up. Owns, from {@link #arm} to {@link #close},
 * the ring ({@link CountedRing}), programs and perf events ({@link AttachedPrograms}): closing it
 * detaches and unloads all.
 */
public final class EbpfProcessProbe extends RingProbe {
    /** The default ring: about 1,900 exec records, or 21,000 fork or exit records, can wait for the loop. */
    public static final int DEFAULT_RING_BYTES = 1 << 20;
    static final String DESCRIPTION = "processes (eBPF tracepoints)";
    private static final String[] TRACEPOINTS = {"task/task_newtask", "sched/sched_process_exec", "sched/sched_process_exit"};

    private final ProcessEvents events;
    private final byte[] args = new byte[ProcessPrograms.ARGS_BYTES];
    private final byte[] cmdline = new byte[Wire.MAX_CMDLINE_BYTES];
    /** Why the exec program cannot read the executed file's inode on this kernel; null when it can. */
    private String keyGap;

    /** A probe with the {@linkplain #DEFAULT_RING_BYTES default ring} that declares execs. */
    public EbpfProcessProbe() {
        this(DEFAULT_RING_BYTES, true);
    }

    /**
     * @param ringBytes    the ring buffer's size: a power of two, at least a page
     * @param declareExecs whether to declare {@code process.exec} (else another probe does)
     */
    public EbpfProcessProbe(int ringBytes, boolean declareExecs) {
        this(ringBytes, declareExecs, new KernelBtf(), WakeWindow.NONE);
    }

    /**
     * A probe with the default ring that declares execs, reading the kernel's BTF from
     * {@code kernelTypes} and waking its reader under {@code window}, which probes armed together share.
     */
    public EbpfProcessProbe(KernelBtf kernelTypes, WakeWindow window) {
        this(DEFAULT_RING_BYTES, true, kernelTypes, window);
    }

    /** The general form, for the constructors above and for tests: a ring of {@code ringBytes} under {@code window}. */
    EbpfProcessProbe(int ringBytes, boolean declareExecs, KernelBtf kernelTypes, WakeWindow window) {
        super(DESCRIPTION, ringBytes, CountedRing.COUNTERS_BYTES, "cellos_proc", kernelTypes, window);
        this.events = new ProcessEvents(declareExecs);
    }

    /**
     * Reads the tracepoints' layouts, creates the maps, builds, loads and attaches the programs and
     * maps the ring.
     *
     * @throws io.cellos.telemetry.guest.linux.BpfLoadException with the verifier's log if a program is refused
     * @throws ErrnoException naming the call that failed ({@code bpf}, {@code perf_event_open}, {@code mmap})
     * @throws IOException    if tracefs cannot be read
     */
    @Override
    void load(KernelBtf types) throws IOException {
        List<TraceEvent> tps = Tracefs.events(TRACEPOINTS);
        KernelLayout layout = KernelLayout.of(types.get());
        keyGap = layout.executable().gap();
        CountedRing ring = openRing();
        ProcessPrograms code = new ProcessPrograms(ring, layout);
        programs.attach(tps.get(0), code.fork(tps.get(0)), "cellos_fork");
        programs.attach(tps.get(1), code.exec(tps.get(1)), "cellos_exec");
        programs.attach(tps.get(2), code.exit(tps.get(2)), "cellos_exit");
    }

    /**
     * What it watches; and, where this kernel's structures do not let the exec program read the
     * executed file's inode, that an exec's {@code sha256} is then found through {@code /proc/PID/exe}
     * only, and why: said in the agent's ready line.
     */
    @Override
    public String description() {
        return keyGap == null ? super.description()
                : super.description() + " (exec sha256 through /proc/PID/exe only: " + keyGap + ")";
    }

    @Override
    public boolean processesBehind() {
        return stoppedAtBound();
    }

    /** How many process events the programs have seen: those read, those waiting in the ring, and those lost. */
    @Override
    public long seen() {
        return super.seen();
    }

    @Override
    void handle(ProbeOutput out, RingRecord r) {
        int kind = r.kind();
        int pid = r.pid();
        int other = r.i32(ProcessPrograms.OTHER);
        long nanos = r.nanos();
        String comm = r.comm();
        switch (kind) {
            case ProcessPrograms.FORK -> events.spawned(out, nanos, pid, other, comm);
            case ProcessPrograms.EXEC -> events.exec(out, nanos, pid, comm, path(r), commandLine(r), executedFile(r));
            case ProcessPrograms.EXIT -> events.exited(out, nanos, pid, other == pid ? comm : null, waitStatus(r));
            default -> throw new IllegalStateException("a process record of kind " + kind + " from our own program");
        }
    }

    /**
     * The exec's command line as protocol §4 writes it, from the argument area the program copied;
     * {@code null} when it could not be read.
     */
    private String commandLine(RingRecord r) {
        int copied = r.i32(ProcessPrograms.ARGS_LENGTH);
        int total = r.i32(ProcessPrograms.ARGS_TOTAL);
        if (copied <= 0 || copied > r.length() - ProcessPrograms.ARGS) {
            return null;
        }
        r.copy(ProcessPrograms.ARGS, args, 0, copied);
        int n = CommandLine.format(args, 0, copied, Integer.compareUnsigned(total, copied) > 0, cmdline, 0);
        return new String(cmdline, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * The key of the file the exec ran, from its inode as the program read it; null when it could
     * not, or the file has no name (a memfd or a deleted file, which the hasher names through
     * {@code /proc/PID/exe}).
     */
    private static FileKey executedFile(RingRecord r) {
        if (r.i32(ProcessPrograms.FILE) != 0 || r.i32(ProcessPrograms.FILE_LINKS) == 0) {
            return null;
        }
        return FileKey.ofKernelInode(Integer.toUnsignedLong(r.i32(ProcessPrograms.FILE_DEV)),
                r.i64(ProcessPrograms.FILE_INO), r.i64(ProcessPrograms.FILE_SIZE),
                r.i64(ProcessPrograms.FILE_CTIME_SEC), Integer.toUnsignedLong(r.i32(ProcessPrograms.FILE_CTIME_NSEC)));
    }

    /** The wait status as an unsigned value, or -1 when the program could not read it. */
    private static long waitStatus(RingRecord r) {
        int status = r.i32(ProcessPrograms.DETAIL);
        return status == -1 ? -1 : Integer.toUnsignedLong(status);
    }

    private static String path(RingRecord r) {
        int len = r.i32(ProcessPrograms.DETAIL);
        if (len <= 1 || len > r.length() - ProcessPrograms.PATH) {
            return null; // the kernel could not copy it
        }
        return r.string(ProcessPrograms.PATH, len);
    }
}
