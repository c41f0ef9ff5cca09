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

    static final int NR_SOCKET = 41;
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
        dispatch(p, NR_KILL, "kill");
        for (int nr : List.of(NR_TKILL, NR_RT_SIGQUEUEINFO, NR_PIDFD_OPEN, NR_PROCESS_VM_READV, NR_PROCESS_VM_WRITEV)) {
            dispatch(p, nr, "arg0");
        }
        dispatch(p, NR_TGKILL, "arg0and1");
        dispatch(p, NR_RT_TGSIGQUEUEINFO, "arg0and1");
        dispatch(p, NR_PTRACE, "arg1");
        dispatch(p, NR_SOCKET, "socket");
        refuseCall(p, NR_PIDFD_SEND_SIGNAL);
        refuseCall(p, NR_IO_URING_SETUP);
        refuseCall(p, NR_PIDFD_GETFD);
        refuseCall(p, NR_OPEN_BY_HANDLE_AT);
        p.ret(Seccomp.RET_ALLOW);
        p.label("x32").ret(DENY);

        List<Integer> killTargets = new ArrayList<>();
        killTargets.add(-1);
        protectedIds.forEach(id -> killTargets.add(-id));
        refuseArgument(p, "kill", 0, killTargets, "arg0");
        refuseArgument(p, "arg0and1", 1, protectedIds, "arg0");
        refuseArgument(p, "arg0", 0, protectedIds, null);
        refuseArgument(p, "arg1", 1, protectedIds, null);
        refuseArgument(p, "socket", 0, List.of(AF_VSOCK), null);
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
