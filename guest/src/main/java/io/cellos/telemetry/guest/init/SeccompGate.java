package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.linux.BpfProgram;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.NetlinkSocket;
import io.cellos.telemetry.guest.linux.Processes;
import io.cellos.telemetry.guest.linux.Seccomp;
import io.cellos.telemetry.guest.linux.SignalRoutes;
import io.cellos.telemetry.guest.linux.SockAddr;
import io.cellos.telemetry.guest.linux.SyscallTable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The seccomp filter that keeps the workload away from init and the agent.
 *
 * <p>It refuses with {@code EPERM}, and has the kernel log to audit (which the agent declares as
 * {@code capability.denied}):
 * <ul>
 *   <li>every call of another ABI: a 32-bit {@code int 0x80} call or an x32 call could name the
 *       same operations under other numbers;</li>
 *   <li>{@code kill} of a protected id, of its process group ({@code -id}) and of everything
 *       ({@code -1}); {@code tkill}, {@code tgkill}, {@code rt_sigqueueinfo} and
 *       {@code rt_tgsigqueueinfo} naming a protected id;</li>
 *   <li>{@code pidfd_open}, {@code ptrace}, {@code process_vm_readv} and {@code process_vm_writev}
 *       naming a protected id;</li>
 *   <li>what starves, slows or pins a process, or reads or moves its memory, naming a protected id:
 *       {@code prlimit64}, {@code sched_setscheduler}, {@code sched_setparam},
 *       {@code sched_setattr}, {@code sched_setaffinity}, {@code move_pages},
 *       {@code migrate_pages}, {@code kcmp} (either pid); {@code setpriority} and
 *       {@code ioprio_set} naming a protected process or process group, or every process of root
 *       ({@code PRIO_USER} / {@code IOPRIO_WHO_USER} with uid 0, which is also the caller's own
 *       uid when it is root);</li>
 *   <li>signals by ownership: {@code fcntl(F_SETOWN)} naming a protected process or group; and,
 *       since their owner is behind a pointer no filter can read, {@code fcntl(F_SETOWN_EX)},
 *       {@code ioctl(FIOSETOWN)} and {@code ioctl(SIOCSPGRP)} always;</li>
 *   <li>always: {@code process_madvise} and {@code process_mrelease} (they take pidfds, which
 *       the filter cannot read), {@code reboot} (in a microVM init decides when it powers off),
 *       {@code kexec_load} and {@code kexec_file_load}, {@code bpf} and {@code perf_event_open}
 *       (they can detach observation, or signal a process when an event fires);</li>
 *   <li>{@code socket(AF_NETLINK, …, NETLINK_AUDIT)}: the way to change or read audit's rules,
 *       refused here so that the attempt is declared (the kernel's own refusal, for want of
 *       {@code CAP_AUDIT_CONTROL}, would come back as a netlink error nobody sees);</li>
 *   <li>{@code pidfd_send_signal} always: a pidfd can also be made by opening
 *       {@code /proc/<pid>}, which no filter can tell apart, so the only safe answer is no
 *       (programs use {@code kill(2)});</li>
 *   <li>{@code io_uring_setup} always: operations submitted through io_uring run without passing
 *       the filter or audit's syscall rules, so they would bypass both the gate and the agent.</li>
 *   <li>{@code socket(AF_VSOCK, …)}: in a microVM any process could connect to the host's telemetry
 *       and exit-code ports (vsock has no permissions); only init and the agent speak there, and
 *       they opened their channels before the workload started.</li>
 *   <li>{@code clone} with {@code CLONE_PARENT}: the child would be born a child of init, outlive
 *       the workload in init's care, and stand in the record as a process init started; and
 *       {@code clone3}, whose flags no filter can read, answers {@code ENOSYS} from a second,
 *       unlogged filter ({@link #clone3Fallback()}), so that libc uses {@code clone};</li>
 *   <li>{@code pidfd_getfd} and {@code open_by_handle_at} always: the first copies another
 *       process's descriptors (the agent's channel) given a pidfd, and the second makes pidfds from
 *       pidfs file handles, which {@code pidfd_open}'s rule cannot see.</li>
 * </ul>
 * Everything else is allowed. Pids are compared as the kernel reads them, as 32-bit ints.
 *
 * <p>The protected ids are <em>thread</em> ids, as the workload's PID namespace numbers them:
 * {@code kill(2)} of any thread's id signals its whole process, so every thread of init and of the
 * agent must be listed, not just their pids.
 *
 * <p>Immutable.
 */
public final class SeccompGate {
    /**
     * More than the threads of two small JVMs; bounded so that every jump of the filter stays
     * within the 255 instructions a conditional BPF jump can reach.
     */
    public static final int MAX_PROTECTED = 250;

    private static final int DENY = Seccomp.RET_ERRNO | Errno.EPERM;

    private final Set<Integer> protectedIds;

    /**
     * @param protectedIds the thread ids of init and the agent, as the workload will see them (positive)
     * @throws IllegalArgumentException if one is not positive, or there are more than {@link #MAX_PROTECTED}
     */
    public SeccompGate(Collection<Integer> protectedIds) {
        TreeSet<Integer> ids = new TreeSet<>(protectedIds);
        if (ids.isEmpty() || ids.first() <= 0) {
            throw new IllegalArgumentException("protected ids must be positive pids, got " + protectedIds);
        }
        if (ids.size() > MAX_PROTECTED) {
            throw new IllegalArgumentException(ids.size() + " ids to protect; at most " + MAX_PROTECTED);
        }
        this.protectedIds = Set.copyOf(ids);
    }

    /** The ids this gate protects. */
    public Set<Integer> protectedIds() {
        return protectedIds;
    }

    /** The filter, as a program for {@link Seccomp#installOnThisThread}. */
    public BpfProgram program() {
        BpfProgram p = new BpfProgram();
        p.load(Seccomp.DATA_ARCH).jumpIfEqual(Seccomp.AUDIT_ARCH_X86_64, "native").ret(DENY).label("native");
        p.load(Seccomp.DATA_NR).jumpIfAnySet(Seccomp.X32_SYSCALL_BIT, "x32");
        // the calls of every ordinary program come first, so that they are allowed after the fewest tests
        dispatch(p, "ioctl", "ioctl");
        dispatch(p, "fcntl", "fcntl");
        dispatch(p, "socket", "socket");
        dispatch(p, "kill", "kill");
        dispatch(p, "clone", "clone");
        for (String call : List.of("tkill", "rt_sigqueueinfo", "pidfd_open", "process_vm_readv", "process_vm_writev",
                "prlimit64", "sched_setscheduler", "sched_setparam", "sched_setattr", "sched_setaffinity",
                "move_pages", "migrate_pages")) {
            dispatch(p, call, "arg0");
        }
        for (String call : List.of("tgkill", "rt_tgsigqueueinfo", "kcmp")) {
            dispatch(p, call, "arg0and1");
        }
        dispatch(p, "ptrace", "arg1");
        dispatch(p, "setpriority", "setpriority");
        dispatch(p, "ioprio_set", "ioprio");
        for (String call : List.of("pidfd_send_signal", "io_uring_setup", "pidfd_getfd", "open_by_handle_at",
                "process_madvise", "process_mrelease", "reboot", "kexec_load", "kexec_file_load", "bpf",
                "perf_event_open")) {
            refuseCall(p, call);
        }
        p.ret(Seccomp.RET_ALLOW);
        p.label("x32").ret(DENY);

        // BPF jumps only forward: a block goes on to blocks after it. setpriority and ioprio_set: a
        // process or group is the second argument; for a user, root
        p.label("setpriority").load(Seccomp.argLow(0)).jumpIfEqual(Processes.PRIO_USER, "setpriority-user").jump("arg1")
                .label("setpriority-user").jump("root-user");
        p.label("ioprio").load(Seccomp.argLow(0)).jumpIfEqual(Processes.IOPRIO_WHO_USER, "ioprio-user").jump("arg1")
                .label("ioprio-user").jump("root-user");
        List<Integer> groups = new ArrayList<>();
        protectedIds.forEach(id -> groups.add(-id));
        List<Integer> killTargets = new ArrayList<>(groups);
        killTargets.add(-1);
        refuseArgument(p, "kill", 0, killTargets, "arg0");
        refuseArgument(p, "arg0and1", 1, protectedIds, "arg0");
        refuseArgument(p, "arg0", 0, protectedIds, null);
        refuseArgument(p, "arg1", 1, protectedIds, null);
        refuseArgument(p, "root-user", 1, List.of(0), null);
        p.label("fcntl").load(Seccomp.argLow(1)).jumpIfEqual(SignalRoutes.F_SETOWN_EX, "fcntl-deny")
                .jumpIfEqual(SignalRoutes.F_SETOWN, "owner").ret(Seccomp.RET_ALLOW).label("fcntl-deny").ret(DENY);
        refuseArgument(p, "owner", 2, protectedIds, "owner-group");
        refuseArgument(p, "owner-group", 2, groups, null);
        p.label("ioctl").load(Seccomp.argLow(1)).jumpIfEqual(SignalRoutes.FIOSETOWN, "ioctl-deny")
                .jumpIfEqual(SignalRoutes.SIOCSPGRP, "ioctl-deny").ret(Seccomp.RET_ALLOW).label("ioctl-deny").ret(DENY);
        p.label("socket").load(Seccomp.argLow(0)).jumpIfEqual(SockAddr.AF_VSOCK, "socket-deny")
                .jumpIfEqual(SockAddr.AF_NETLINK, "netlink").ret(Seccomp.RET_ALLOW).label("socket-deny").ret(DENY);
        refuseArgument(p, "netlink", 2, List.of(NetlinkSocket.NETLINK_AUDIT), null);
        p.label("clone").load(Seccomp.argLow(0)).jumpIfAnySet(Processes.CLONE_PARENT, "clone-deny")
                .ret(Seccomp.RET_ALLOW).label("clone-deny").ret(DENY);
        return p;
    }

    /**
     * The second filter, installed after {@link #program()} and without logging: {@code clone3}
     * answers {@code ENOSYS}, as on a kernel without it, so that libc falls back to {@code clone},
     * whose flags {@link #program()} can read (those of {@code clone3} are behind a pointer). Not
     * logged because every thread or process a program starts through glibc tries {@code clone3}
     * first: the answer is routine, not a refusal worth declaring.
     */
    public static BpfProgram clone3Fallback() {
        BpfProgram p = new BpfProgram();
        p.load(Seccomp.DATA_ARCH).jumpIfEqual(Seccomp.AUDIT_ARCH_X86_64, "native").ret(Seccomp.RET_ALLOW).label("native");
        p.load(Seccomp.DATA_NR).jumpIfEqual(SyscallTable.number("clone3"), "clone3").ret(Seccomp.RET_ALLOW);
        p.label("clone3").ret(Seccomp.RET_ERRNO | Errno.ENOSYS);
        return p;
    }

    /** If the call is {@code call}, go to {@code label} (any distance away). */
    private static void dispatch(BpfProgram p, String call, String label) {
        String next = "not-" + call;
        p.jumpIfNotEqual(SyscallTable.number(call), next).jump(label).label(next);
    }

    /** If the call is {@code call}, refuse it. */
    private static void refuseCall(BpfProgram p, String call) {
        String next = "allowed-" + call;
        p.jumpIfNotEqual(SyscallTable.number(call), next).ret(DENY).label(next);
    }

    /**
     * The block {@code name}: refuses the call if argument {@code arg} is one of {@code values},
     * else goes on to block {@code then}, or allows when that is {@code null}. Each block has its
     * own refusal so that every conditional jump stays within reach.
     */
    private static void refuseArgument(BpfProgram p, String name, int arg, Collection<Integer> values, String then) {
        p.label(name).load(Seccomp.argLow(arg));
        for (int v : values) {
            p.jumpIfEqual(v, name + "-deny");
        }
        if (then == null) {
            p.ret(Seccomp.RET_ALLOW);
        } else {
            p.jump(then);
        }
        p.label(name + "-deny").ret(DENY);
    }
}
