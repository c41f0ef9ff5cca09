package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.linux.Capabilities;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Mounts;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the workload cannot reach, beside the {@link SeccompGate}: applied on the thread that spawns
 * it, so that the workload has it from its first instruction and init keeps what it had.
 *
 * <ul>
 * <li>A mount namespace of its own, every mount private.</li>
 * <li>A {@code /proc} of its own, mounted {@code hidepid=ptraceable} after the old one and
 *     everything under it was detached: it lists only the processes the workload could trace.
 *     Init and the agent are non-dumpable, so without {@code CAP_SYS_PTRACE} the workload cannot
 *     see them there at all — no {@code /proc/<pid>/mem}, {@code oom_score_adj},
 *     {@code timerslack_ns}, {@code fd/}, {@code cmdline} to read or write — and there is no
 *     other {@code /proc} below to uncover. ({@code hidepid=invisible} would not do: it lets
 *     members of the mount's {@code gid}, root's group by default, see everything.)</li>
 * <li>Every cgroup filesystem read-only: the workload cannot move, freeze or kill init's group.</li>
 * <li>The files init and the agent run ({@link ProtectedCode}: the JVM, its libraries, the jar)
 *     bound read-only onto themselves: writing into a mapped library in place would rewrite the
 *     code they run.</li>
 * <li>The capabilities that reach other processes, observation or the machine, dropped from the
 *     bounding, inheritable and ambient sets ({@link #DROPPED}); without {@code CAP_SYS_ADMIN} it
 *     can mount nothing, so none of the above can be undone. A workload that needs one of them
 *     keeps it by name ({@code --keep-capability}), and the cell says so.</li>
 * </ul>
 *
 * <p>Immutable.
 */
public final class WorkloadIsolation {
    /**
     * Dropped unless kept: tracing and {@code /proc/<pid>/mem} ({@code sys_ptrace}), limits and
     * priorities of others ({@code sys_resource}, {@code sys_nice}), audit ({@code audit_control},
     * {@code audit_write}, {@code audit_read}), eBPF and perf ({@code bpf}, {@code perfmon}),
     * modules and power ({@code sys_module}, {@code sys_boot}), the wall clock that dates audit's
     * records ({@code sys_time}), leases that stall others' opens ({@code lease}), raw memory and
     * I/O ports ({@code sys_rawio}: {@code /dev/mem}, {@code iopl}, and the keyboard controller's
     * reset line, which powers a microVM off), what checkpointing needs ({@code checkpoint_restore}:
     * choosing the next pid through {@code ns_last_pid}, and {@code PR_SET_MM_MAP}, which sets a
     * process's {@code /proc/<pid>/exe} to another file, so that the record would name another
     * program), and mounting and namespaces ({@code sys_admin}), which would undo the rest.
     */
    public static final Set<Integer> DROPPED = Set.copyOf(numbers(List.of("sys_ptrace", "sys_resource", "sys_nice",
            "audit_control", "audit_write", "audit_read", "bpf", "perfmon", "sys_module", "sys_boot", "sys_time",
            "lease", "sys_rawio", "checkpoint_restore", "sys_admin")));
    /** The options of the workload's {@code /proc}. */
    static final String PROC_OPTIONS = "hidepid=ptraceable";

    private final Set<Integer> dropped;
    private final Set<Integer> kept;

    /** @param keep capabilities of {@link #DROPPED} the workload keeps (numbers) */
    public WorkloadIsolation(Set<Integer> keep) {
        TreeSet<Integer> d = new TreeSet<>(DROPPED);
        d.removeAll(keep);
        this.dropped = Set.copyOf(d);
        TreeSet<Integer> k = new TreeSet<>(keep);
        k.retainAll(DROPPED);
        this.kept = Set.copyOf(k);
    }

    /**
     * Applies it all to the calling thread, for the children it will start.
     *
     * @param code the files init and the agent run ({@link ProtectedCode#of}), made read-only
     */
    void applyToThisThread(Collection<String> code) throws ErrnoException, IOException {
        Mounts.unshareNamespace();
        Mounts.replaceProc(PROC_OPTIONS);
        for (String cgroup : Mounts.mountPointsOfType("cgroup", "cgroup2")) {
            Mounts.readOnly(cgroup);
        }
        for (String file : code) {
            Mounts.bindReadOnly(file);
        }
        Capabilities.dropForChildren(dropped);
    }

    /** The capabilities of {@link #DROPPED} the workload keeps, by name. */
    public List<String> kept() {
        return Capabilities.names(kept);
    }

    /** What the workload goes without, in words. */
    public String describe() {
        return "own mount namespace; /proc " + PROC_OPTIONS + " (init and the agent not listed); cgroups read-only; "
                + "the files init and the agent run read-only; capabilities dropped: "
                + String.join(", ", Capabilities.names(dropped))
                + (kept.isEmpty() ? "" : "; kept by request: " + String.join(", ", kept()));
    }

    private static List<Integer> numbers(List<String> names) {
        return names.stream().map(Capabilities::number).toList();
    }
}
