package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.linux.BpfProgram;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.Seccomp;

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

    static final int NR_IOCTL = 16;
    static final int NR_SOCKET = 41;
    static final int NR_FCNTL = 72;
    static final int NR_SETPRIORITY = 141;
    static final int NR_SCHED_SETPARAM = 142;
    static final int NR_SCHED_SETSCHEDULER = 144;
    static final int NR_REBOOT = 169;
    static final int NR_SCHED_SETAFFINITY = 203;
    static final int NR_KEXEC_LOAD = 246;
    static final int NR_IOPRIO_SET = 251;
    static final int NR_MIGRATE_PAGES = 256;
    static final int NR_MOVE_PAGES = 279;
    static final int NR_PERF_EVENT_OPEN = 298;
    static final int NR_PRLIMIT64 = 302;
    static final int NR_KCMP = 312;
    static final int NR_SCHED_SETATTR = 314;
    static final int NR_KEXEC_FILE_LOAD = 320;
    static final int NR_BPF = 321;
    static final int NR_PROCESS_MADVISE = 440;
    static final int NR_PROCESS_MRELEASE = 448;
    static final int NR_KILL = 62;
    static final int NR_PTRACE = 101;
    static final int NR_RT_SIGQUEUEINFO = 129;
    static final int NR_TKILL = 200;
    static final int NR_TGKILL = 234;
    static final int NR_RT_TGSIGQUEUEINFO = 297;
    static final int NR_PROCESS_VM_READV = 310;
    static final int NR_PROCESS_VM_WRITEV = 311;
    static final int NR_PIDFD_SEND_SIGNAL = 424;
    static final int NR_IO_URING_SETUP = 425;
    static final int NR_OPEN_BY_HANDLE_AT = 304;
    static final int NR_PIDFD_OPEN = 434;
    static final int NR_PIDFD_GETFD = 438;
    /** {@code AF_VSOCK}. */
    static final int AF_VSOCK = 40;
    static final int AF_NETLINK = 16;
    static final int NETLINK_AUDIT = 9;
    static final int F_SETOWN = 8;
    static final int F_SETOWN_EX = 15;
    static final int FIOSETOWN = 0x8901;
    static final int SIOCSPGRP = 0x8902;
    static final int PRIO_USER = 2;
    static final int IOPRIO_WHO_USER = 3;

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
        dispatch(p, NR_IOCTL, "ioctl");
        dispatch(p, NR_FCNTL, "fcntl");
        dispatch(p, NR_SOCKET, "socket");
        dispatch(p, NR_KILL, "kill");
        for (int nr : List.of(NR_TKILL, NR_RT_SIGQUEUEINFO, NR_PIDFD_OPEN, NR_PROCESS_VM_READV, NR_PROCESS_VM_WRITEV,
                NR_PRLIMIT64, NR_SCHED_SETSCHEDULER, NR_SCHED_SETPARAM, NR_SCHED_SETATTR, NR_SCHED_SETAFFINITY,
                NR_MOVE_PAGES, NR_MIGRATE_PAGES)) {
            dispatch(p, nr, "arg0");
        }
        for (int nr : List.of(NR_TGKILL, NR_RT_TGSIGQUEUEINFO, NR_KCMP)) {
            dispatch(p, nr, "arg0and1");
        }
        dispatch(p, NR_PTRACE, "arg1");
        dispatch(p, NR_SETPRIORITY, "setpriority");
        dispatch(p, NR_IOPRIO_SET, "ioprio");
        for (int nr : List.of(NR_PIDFD_SEND_SIGNAL, NR_IO_URING_SETUP, NR_PIDFD_GETFD, NR_OPEN_BY_HANDLE_AT,
                NR_PROCESS_MADVISE, NR_PROCESS_MRELEASE, NR_REBOOT, NR_KEXEC_LOAD, NR_KEXEC_FILE_LOAD, NR_BPF,
                NR_PERF_EVENT_OPEN)) {
            refuseCall(p, nr);
        }
        p.ret(Seccomp.RET_ALLOW);
        p.label("x32").ret(DENY);

        // BPF jumps only forward: a block goes on to blocks after it. setpriority and ioprio_set: a
        // process or group is the second argument; for a user, root
        p.label("setpriority").load(Seccomp.argLow(0)).jumpIfEqual(PRIO_USER, "setpriority-user").jump("arg1")
                .label("setpriority-user").jump("root-user");
        p.label("ioprio").load(Seccomp.argLow(0)).jumpIfEqual(IOPRIO_WHO_USER, "ioprio-user").jump("arg1")
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
        p.label("fcntl").load(Seccomp.argLow(1)).jumpIfEqual(F_SETOWN_EX, "fcntl-deny").jumpIfEqual(F_SETOWN, "owner")
                .ret(Seccomp.RET_ALLOW).label("fcntl-deny").ret(DENY);
        refuseArgument(p, "owner", 2, protectedIds, "owner-group");
        refuseArgument(p, "owner-group", 2, groups, null);
        p.label("ioctl").load(Seccomp.argLow(1)).jumpIfEqual(FIOSETOWN, "ioctl-deny").jumpIfEqual(SIOCSPGRP, "ioctl-deny")
                .ret(Seccomp.RET_ALLOW).label("ioctl-deny").ret(DENY);
        p.label("socket").load(Seccomp.argLow(0)).jumpIfEqual(AF_VSOCK, "socket-deny")
                .jumpIfEqual(AF_NETLINK, "netlink").ret(Seccomp.RET_ALLOW).label("socket-deny").ret(DENY);
        refuseArgument(p, "netlink", 2, List.of(NETLINK_AUDIT), null);
        return p;
    }

    /** If the call is {@code nr}, go to {@code label} (any distance away). */
    private static void dispatch(BpfProgram p, int nr, String label) {
        String next = "not-" + nr;
        p.jumpIfNotEqual(nr, next).jump(label).label(next);
    }

    /** If the call is {@code nr}, refuse it. */
    private static void refuseCall(BpfProgram p, int nr) {
        String next = "allowed-" + nr;
        p.jumpIfNotEqual(nr, next).ret(DENY).label(next);
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
