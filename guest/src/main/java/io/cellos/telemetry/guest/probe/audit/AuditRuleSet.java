package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.PacketSocket;
import io.cellos.telemetry.guest.linux.PeerAddress;
import io.cellos.telemetry.guest.linux.SockAddr;
import io.cellos.telemetry.guest.linux.SyscallTable;
import io.cellos.telemetry.guest.probe.RawSockets;

import java.util.ArrayList;
import java.util.List;

import static io.cellos.telemetry.guest.linux.AuditRule.ARCH_X86_64;
import static io.cellos.telemetry.guest.linux.AuditRule.FIELD_ARCH;
import static io.cellos.telemetry.guest.linux.AuditRule.FIELD_ARG0;
import static io.cellos.telemetry.guest.linux.AuditRule.FIELD_ARG1;
import static io.cellos.telemetry.guest.linux.AuditRule.FIELD_ARG2;
import static io.cellos.telemetry.guest.linux.AuditRule.FIELD_ARG3;
import static io.cellos.telemetry.guest.linux.AuditRule.FIELD_EXIT;
import static io.cellos.telemetry.guest.linux.AuditRule.OP_BIT_TEST;
import static io.cellos.telemetry.guest.linux.AuditRule.OP_EQUAL;
import static io.cellos.telemetry.guest.linux.AuditRule.OP_NOT_EQUAL;

/**
 * The audit rules the {@link AuditProbe} gives the kernel, and the x86-64 system calls whose
 * refusal it declares. Every rule checks the architecture first, so that an i386 or x32 call whose
 * number happens to match is not taken for another call.
 *
 * <ul>
 *   <li>Connects: every {@code connect(2)}, whatever it returns (a refused or unreachable attempt is
 *       still an attempt), except {@code EALREADY} and {@code EISCONN}, the answers to calling it
 *       again on a socket already connecting or connected, which are no new attempt. A UDP "connect"
 *       is {@code connect(2)} on a datagram socket, as resolvers and most UDP clients do;
 *       {@code sendto}/{@code sendmsg} with an address on an unconnected socket are not audited, as a
 *       record per datagram would cost the workload too much. A TCP Fast Open, though, connects
 *       through {@code sendto}, {@code sendmsg} or {@code sendmmsg} with {@code MSG_FASTOPEN}: those
 *       calls are audited (only with that flag), with the same exceptions; a UDP send that carries
 *       the flag, which UDP ignores, is declared too, as the send to its address it is.</li>
 *   <li>Refusals: calls that need a privilege (a capability, or owning the target process) when they
 *       fail with {@code EPERM} — and {@code perf_event_open} and {@code setpriority} with
 *       {@code EACCES}, and an open for writing or a {@code mkdir} with {@code EROFS}, the answer of
 *       a read-only mount (the workload's view of the files init and the agent run, and of the
 *       cgroups). The signal, ptrace and pidfd calls are the ones the seccomp gate
 *       also guards; a call the gate refuses never reaches the exit rules, and is seen instead as the
 *       gate's own logged verdict (an {@code AUDIT_SECCOMP} record).</li>
 *   <li>Raw sockets: a successful {@code socket(2)} that made a raw IPv4 or IPv6 socket
 *       ({@code SOCK_RAW}, whatever its flags: the type's low bits {@code 3}) or any
 *       {@code AF_PACKET} socket ({@link RawSockets}). A socket made through io_uring makes no
 *       {@code socket(2)} and is not seen.</li>
 * </ul>
 *
 * <p>Each rule carries the filter key
 * {@code cellos-telemetry:<pid>:<enabled>:<backlog_limit>:<backlog_wait_time>}: the agent's pid and
 * the audit settings it found and will give back at close. The key names the agent in any other
 * audit consumer's log and keeps two agents' rules apart; and if the agent dies without closing,
 * the next one learns from it both that the rules are stale and what the settings were before —
 * the kernel keeps the key with the rules, so nothing need be written anywhere else.
 */
final class AuditRuleSet {
    static final int CONNECT = SyscallTable.number("connect");
    static final int SENDTO = SyscallTable.number("sendto");
    static final int SENDMSG = SyscallTable.number("sendmsg");
    static final int SENDMMSG = SyscallTable.number("sendmmsg");
    /** {@code MSG_FASTOPEN}: a send that connects first, carrying its data in the SYN (TCP Fast Open). */
    static final int MSG_FASTOPEN = 0x20000000;
    static final int EXECVE = SyscallTable.number("execve");
    static final int EXECVEAT = SyscallTable.number("execveat");
    static final int SETHOSTNAME = SyscallTable.number("sethostname");
    static final int KILL = SyscallTable.number("kill");
    static final int SOCKET = SyscallTable.number("socket");
    private static final String KEY_PREFIX = "cellos-telemetry:";

    /** The privileged calls whose {@code EPERM} is a refusal. */
    private static final int[] REFUSED_WITH_EPERM = SyscallTable.numbers(
            // signals, tracing and memory access to another process (the gate's list)
            "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal", "pidfd_open",
            "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "process_mrelease", "kcmp",
            "move_pages", "migrate_pages",
            // limits and scheduling beyond the caller's own rights (CAP_SYS_RESOURCE, CAP_SYS_NICE)
            "setrlimit", "prlimit64", "setpriority", "sched_setparam", "sched_setscheduler", "sched_setattr",
            "sched_setaffinity", "ioprio_set",
            // identity
            "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "capset",
            // the system and its namespaces
            "sethostname", "setdomainname", "mount", "umount2", "pivot_root", "chroot", "setns", "unshare", "clone",
            "swapon", "swapoff", "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module",
            "delete_module", "acct", "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "iopl", "ioperm",
            "open_by_handle_at", "bpf", "perf_event_open", "fanotify_init", "userfaultfd",
            // files that refuse even root: a sysctl or /proc file written without the capability
            "open", "openat", "openat2", "write");
    /**
     * The calls whose {@code EACCES} is a refusal: {@code perf_event_open}'s answer to
     * {@code perf_event_paranoid}, and {@code setpriority}'s to a nice value below the caller's
     * without {@code CAP_SYS_NICE}.
     */
    private static final int[] REFUSED_WITH_EACCES = SyscallTable.numbers("perf_event_open", "setpriority");
    /**
     * The calls whose {@code EROFS} is a refusal: writing into a read-only mount, such as the files
     * init and the agent run and the cgroup filesystems, which the workload sees read-only.
     */
    private static final int[] REFUSED_WITH_EROFS = SyscallTable.numbers("open", "openat", "openat2", "mkdir",
            "mkdirat");

    private final String key;
    private final AuditRule connects;
    private final List<AuditRule> fastOpens;
    private final AuditRule refusedEperm;
    private final AuditRule refusedEacces;
    private final AuditRule refusedErofs;
    private final AuditRule execs;
    private final List<AuditRule> rawSockets;

    /**
     * @param agentPid  the pid that goes into the filter key
     * @param restoreTo the settings the agent will give back at close, which go into the key too
     * @param execs     whether successful execs are audited too
     */
    AuditRuleSet(int agentPid, AuditStatus restoreTo, boolean execs) {
        this.key = KEY_PREFIX + agentPid + ":" + restoreTo.enabled() + ":" + restoreTo.backlogLimit() + ":"
                + restoreTo.backlogWaitTime();
        this.connects = connectAttempt(AuditRule.syscallExit(CONNECT)).withKey(key);
        this.fastOpens = List.of(
                connectAttempt(AuditRule.syscallExit(SENDTO)).where(FIELD_ARG3, OP_BIT_TEST, MSG_FASTOPEN).withKey(key),
                connectAttempt(AuditRule.syscallExit(SENDMSG)).where(FIELD_ARG2, OP_BIT_TEST, MSG_FASTOPEN).withKey(key),
                connectAttempt(AuditRule.syscallExit(SENDMMSG)).where(FIELD_ARG3, OP_BIT_TEST, MSG_FASTOPEN).withKey(key));
        this.refusedEperm = AuditRule.syscallExit(REFUSED_WITH_EPERM).where(FIELD_ARCH, OP_EQUAL, ARCH_X86_64)
                .where(FIELD_EXIT, OP_EQUAL, -Errno.EPERM).withKey(key);
        this.refusedEacces = AuditRule.syscallExit(REFUSED_WITH_EACCES).where(FIELD_ARCH, OP_EQUAL, ARCH_X86_64)
                .where(FIELD_EXIT, OP_EQUAL, -Errno.EACCES).withKey(key);
        this.refusedErofs = AuditRule.syscallExit(REFUSED_WITH_EROFS).where(FIELD_ARCH, OP_EQUAL, ARCH_X86_64)
                .where(FIELD_EXIT, OP_EQUAL, -Errno.EROFS).withKey(key);
        this.rawSockets = List.of(rawSocket(PeerAddress.AF_INET).where(FIELD_ARG1, OP_BIT_TEST, SockAddr.SOCK_RAW),
                rawSocket(PeerAddress.AF_INET6).where(FIELD_ARG1, OP_BIT_TEST, SockAddr.SOCK_RAW),
                rawSocket(PacketSocket.AF_PACKET));
        this.execs = execs ? AuditRule.syscallExit(EXECVE, EXECVEAT).where(FIELD_ARCH, OP_EQUAL, ARCH_X86_64)
                .where(AuditRule.FIELD_SUCCESS, OP_EQUAL, 1).withKey(key) : null;
    }

    /**
     * {@code rule}, x86-64 only, for a call that attempts a connect: whatever it returns but
     * {@code EALREADY} and {@code EISCONN}, the answers to a socket already connecting or connected.
     * The caller adds what else must hold, and the key.
     */
    private static AuditRule connectAttempt(AuditRule rule) {
        return rule.where(FIELD_ARCH, OP_EQUAL, ARCH_X86_64).where(FIELD_EXIT, OP_NOT_EQUAL, -Errno.EALREADY)
                .where(FIELD_EXIT, OP_NOT_EQUAL, -Errno.EISCONN);
    }

    /** A rule for a successful {@code socket(2)} of {@code family}, keyed; the caller adds what the type must be. */
    private AuditRule rawSocket(int family) {
        return AuditRule.syscallExit(SOCKET).where(FIELD_ARCH, OP_EQUAL, ARCH_X86_64)
                .where(AuditRule.FIELD_SUCCESS, OP_EQUAL, 1).where(FIELD_ARG0, OP_EQUAL, family).withKey(key);
    }

    /**
     * What an agent's rule says about the agent that added it.
     *
     * @param pid      the agent's pid
     * @param settings the audit settings it found and was to give back: {@code enabled},
     *                 {@code backlogLimit} and {@code backlogWaitTime} (the other fields are 0)
     */
    record Owner(int pid, AuditStatus settings) {
    }

    /**
     * The rules an agent adds under {@code key} (with the exec rule: a superset of those without it);
     * empty if {@code key} is no agent's. A rule under an agent's key that is not among them is no
     * agent's, whoever added it.
     */
    static List<AuditRule> agentRules(String key) {
        Owner o = ownerOf(key);
        return o == null ? List.of() : new AuditRuleSet(o.pid(), o.settings(), true).rules();
    }

    /** The agent that added {@code rule}, from its filter key; null if it is no agent's rule. */
    static Owner ownerOf(AuditRule rule) {
        return ownerOf(rule.key());
    }

    /** The agent whose rules carry filter key {@code key}; null if it is no agent's key. */
    static Owner ownerOf(String key) {
        if (key == null || !key.startsWith(KEY_PREFIX)) {
            return null;
        }
        String[] f = key.substring(KEY_PREFIX.length()).split(":");
        if (f.length != 4) {
            return null;
        }
        try {
            return new Owner(Integer.parseInt(f[0]), new AuditStatus(Integer.parseInt(f[1]), 0, 0, 0,
                    Integer.parseInt(f[2]), 0, 0, 0, Integer.parseInt(f[3])));
        } catch (NumberFormatException e) {
            return null; // someone else's key that happens to start alike
        }
    }

    /** The filter key every rule of this set carries. */
    String key() {
        return key;
    }

    /** Whether successful execs are audited, so that the audit probe declares {@code process.exec}. */
    boolean auditsExecs() {
        return execs != null;
    }

    /** Whether {@code syscall} is an exec. */
    static boolean isExec(long syscall) {
        return syscall == EXECVE || syscall == EXECVEAT;
    }

    /** The rules to add, in order. */
    List<AuditRule> rules() {
        List<AuditRule> all = new ArrayList<>(List.of(connects));
        all.addAll(fastOpens);
        all.addAll(List.of(refusedEperm, refusedEacces, refusedErofs));
        all.addAll(rawSockets);
        if (execs != null) {
            all.add(execs);
        }
        return List.copyOf(all);
    }

    /**
     * Whether x86-64 call {@code nr}, with the flags argument of a send ({@code sendto}'s and
     * {@code sendmmsg}'s fourth, {@code sendmsg}'s third) among {@code a2} and {@code a3}, attempts a
     * connect: {@code connect}, or a send with {@code MSG_FASTOPEN}. Records of another consumer's
     * rules reach the agent too, so the flag is checked here, not only in the kernel.
     */
    static boolean attemptsConnect(long nr, long a2, long a3) {
        return nr == CONNECT || (nr == SENDTO || nr == SENDMMSG) && (a3 & MSG_FASTOPEN) != 0
                || nr == SENDMSG && (a2 & MSG_FASTOPEN) != 0;
    }

    /** Whether x86-64 call {@code nr} ending with {@code exit} is a refusal this set declares. */
    boolean isRefusal(int nr, long exit) {
        return exit == -Errno.EPERM && refusedEperm.coversSyscall(nr)
                || exit == -Errno.EACCES && refusedEacces.coversSyscall(nr)
                || exit == -Errno.EROFS && refusedErofs.coversSyscall(nr);
    }
}
