package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRecord;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.PeerAddress;
import io.cellos.telemetry.guest.linux.Seccomp;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.guest.probe.RawSockets;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Turns kernel audit records, in the order they arrive, into observations:
 * <ul>
 *   <li>{@code net.connect_attempted} (pid, comm, {@code peer}) for an x86-64 {@code connect(2)} to an
 *       IPv4 or IPv6 address. The call's {@code AUDIT_SYSCALL} record comes first and its
 *       {@code AUDIT_SOCKADDR} record later, with the same serial; the connect is declared when the
 *       address arrives. Connects to other families ({@code AF_UNIX}, {@code AF_NETLINK},
 *       {@code AF_VSOCK}, {@code AF_UNSPEC} to dissolve a UDP association) are not declared: the
 *       protocol's peer is an IP endpoint, and local sockets would drown the connects that leave the
 *       machine.</li>
 *   <li>audit's own configuration changes, joined to the process that made each, handed to the
 *       probe ({@link AuditConfigChanges}), which tells tampering from other agents' work;</li>
 *   <li>{@code net.raw_socket_opened} (pid, comm, {@code socket}) for a successful x86-64
 *       {@code socket(2)} that made a raw IP or a packet socket ({@link RawSockets}), from its
 *       {@code AUDIT_SYSCALL} record's arguments;</li>
 *   <li>{@code capability.denied} (pid, comm, {@code syscall}) for a call {@link AuditRuleSet} counts
 *       as refused, from its {@code AUDIT_SYSCALL} record alone; and for a seccomp verdict that refuses
 *       a call (errno, trap or kill), from the filter's {@code AUDIT_SECCOMP} record. {@code syscall} is
 *       given when the call was an x86-64 one. No {@code capability} is given: audit does not say which
 *       check failed, and a refusal by seccomp involves none.</li>
 * </ul>
 *
 * <p>Scope: an event is declared if its pid is in the agent's scope, or its parent's is
 * ({@link ProbeOutput#emitInScope}, which lets the agent decide once the process connector's fork
 * events of the same wake are in). A seccomp record names no parent.
 *
 * <p>Records of different events may interleave, so a connect waiting for its address waits in a
 * table of {@code capacity} entries; when the table is full the oldest entry is discarded and
 * counted as lost. Allocates only for what it emits. Confined to the probe's thread.
 */
final class AuditEventAssembler {
    /** {@code TASK_COMM_LEN}: room for any comm. */
    private static final int COMM_BYTES = 16;
    /** {@code sizeof(struct sockaddr_storage)}. */
    private static final int SOCKADDR_BYTES = 128;
    private static final long FREE = -1;

    private static final byte[] ARCH = AuditRecord.ascii("arch");
    private static final byte[] SYSCALL = AuditRecord.ascii("syscall");
    private static final byte[] SUCCESS = AuditRecord.ascii("success");
    private static final byte[] EXIT = AuditRecord.ascii("exit");
    private static final byte[] PPID = AuditRecord.ascii("ppid");
    private static final byte[] PID = AuditRecord.ascii("pid");
    private static final byte[] COMM = AuditRecord.ascii("comm");
    private static final byte[] SADDR = AuditRecord.ascii("saddr");
    private static final byte[] CODE = AuditRecord.ascii("code");
    private static final byte[] EXE = AuditRecord.ascii("exe");
    private static final byte[] A0 = AuditRecord.ascii("a0");
    private static final byte[] A1 = AuditRecord.ascii("a1");
    private static final byte[] A2 = AuditRecord.ascii("a2");
    private static final byte[] A3 = AuditRecord.ascii("a3");
    /** {@code PATH_MAX}. */
    private static final int EXE_BYTES = 4096;
    private static final byte[] NO = AuditRecord.ascii("no");

    private final AuditRuleSet rules;
    private final AuditConfigChanges configChanges = new AuditConfigChanges();
    private final Consumer<AuditConfigChanges.Change> onConfigChange;
    private final byte[] comm = new byte[COMM_BYTES];
    private final byte[] exe = new byte[EXE_BYTES];
    private final byte[] sockaddr = new byte[SOCKADDR_BYTES];
    private final StringBuilder peer = new StringBuilder(64);

    private final long[] pendingSerial;
    private final long[] pendingStamp;
    private final long[] pendingAge;
    private final int[] pendingPid;
    private final int[] pendingPpid;
    private final byte[] pendingComm;
    private final int[] pendingCommLen;
    private long age;

    private long nowMonoNanos;
    private long nowRealMillis;

    // the fields of the record being read
    private long arch;
    private long syscall;
    private boolean failed;
    private long exit;
    private int pid;
    private int ppid;
    private int commLen;
    private int exeLen;
    private long code;
    private long a0;
    private long a1;
    private long a2;
    private long a3;

    /**
     * An assembler of the seccomp verdicts alone, for a reader of the multicast log that loads no
     * rules ({@link SeccompLogProbe}): it is handed {@code AUDIT_SECCOMP} records only.
     */
    static AuditEventAssembler seccompOnly() {
        return new AuditEventAssembler(null, 1, change -> { });
    }

    /**
     * @param rules          the rules whose records this assembler reads ({@code null} for {@link #seccompOnly})
     * @param capacity       how many connects may wait for their address at once
     * @param onConfigChange hears each configuration change once its event is complete, or once
     *                       it is clear that it will not be ({@link #allRead})
     */
    AuditEventAssembler(AuditRuleSet rules, int capacity, Consumer<AuditConfigChanges.Change> onConfigChange) {
        this.rules = rules;
        this.onConfigChange = onConfigChange;
        this.pendingSerial = new long[capacity];
        this.pendingStamp = new long[capacity];
        this.pendingAge = new long[capacity];
        this.pendingPid = new int[capacity];
        this.pendingPpid = new int[capacity];
        this.pendingComm = new byte[capacity * COMM_BYTES];
        this.pendingCommLen = new int[capacity];
        Arrays.fill(pendingSerial, FREE);
    }

    /** Whether records of {@code type} can contribute to an observation; others need not be read. */
    static boolean reads(int type) {
        return type == AuditRecord.SYSCALL || type == AuditRecord.SOCKADDR || type == AuditRecord.EOE
                || type == AuditRecord.SECCOMP || type == AuditRecord.CONFIG_CHANGE;
    }

    /**
     * Sets the clocks that the records about to be handled are dated against: the audit stamp is
     * wall-clock milliseconds, the protocol wants {@code CLOCK_MONOTONIC}, so an event is dated
     * {@code now - (wall-clock now - stamp)}, to the precision of the kernel's coarse clock.
     */
    void clock(long monoNanos, long realMillis) {
        this.nowMonoNanos = monoNanos;
        this.nowRealMillis = realMillis;
    }

    /**
     * Every record the kernel had queued is read (as of the {@link #clock}): configuration changes
     * whose event will not end are told without their process ({@link AuditConfigChanges#expire}).
     */
    void allRead() {
        configChanges.expire(nowMonoNanos, onConfigChange);
    }

    /** Whether a configuration change waits for the rest of its event. */
    boolean configChangeWaiting() {
        return configChanges.anyWaiting();
    }

    /**
     * Handles one record of {@code type}, one that {@link #reads}, whose header {@code record} has
     * just read; its fields are read from here on.
     */
    void accept(int type, AuditRecord record, ProbeOutput out) {
        switch (type) {
            case AuditRecord.SYSCALL -> onSyscall(record, out);
            case AuditRecord.SOCKADDR -> onSockaddr(record, out);
            case AuditRecord.EOE -> {
                release(find(record.serial()));
                configChanges.endOfEvent(record.serial(), onConfigChange);
            }
            case AuditRecord.CONFIG_CHANGE -> configChanges.onConfigChange(record, nowMonoNanos, onConfigChange);
            case AuditRecord.SECCOMP -> onSeccomp(record, out);
            default -> throw new IllegalArgumentException("not a record type the assembler reads: " + type);
        }
    }

    private void readFields(AuditRecord record) {
        arch = -1;
        syscall = -1;
        failed = false;
        exit = 0;
        pid = -1;
        ppid = -1;
        commLen = 0;
        exeLen = -1;
        code = -1;
        a0 = -1;
        a1 = -1;
        a2 = -1;
        a3 = -1;
        while (record.nextField()) {
            if (record.keyIs(ARCH)) {
                arch = record.hex();
            } else if (record.keyIs(SYSCALL)) {
                syscall = record.decimal();
            } else if (record.keyIs(SUCCESS)) {
                failed = record.valueIs(NO);
            } else if (record.keyIs(EXIT)) {
                exit = record.decimal();
            } else if (record.keyIs(PPID)) {
                ppid = (int) record.decimal();
            } else if (record.keyIs(PID)) {
                pid = (int) record.decimal();
            } else if (record.keyIs(COMM)) {
                commLen = Math.max(0, record.string(comm));
            } else if (record.keyIs(CODE)) {
                code = record.hex();
            } else if (record.keyIs(EXE)) {
                exeLen = record.string(exe);
            } else if (record.keyIs(A0)) {
                a0 = record.hex();
            } else if (record.keyIs(A1)) {
                a1 = record.hex();
            } else if (record.keyIs(A2)) {
                a2 = record.hex();
            } else if (record.keyIs(A3)) {
                a3 = record.hex();
            }
        }
    }

    private void onSyscall(AuditRecord record, ProbeOutput out) {
        readFields(record);
        if (configChanges.waiting(record.serial())) {
            configChanges.actor(record.serial(), pid, new String(comm, 0, commLen, StandardCharsets.UTF_8));
        }
        if (arch != Integer.toUnsignedLong(AuditRule.ARCH_X86_64) || pid < 0) {
            return;
        }
        if (AuditRuleSet.attemptsConnect(syscall, a2, a3)) {
            hold(record, out);
        } else if (AuditRuleSet.isExec(syscall)) {
            if (!failed && rules.auditsExecs()) {
                ProbeEvent e = event(ProbeSource.PROCESS_EXEC, pid, comm, 0, commLen, record.stampMillis());
                out.processes().execNamed(pid, e.guestComm());
                out.emitInScope(exeLen > 0 ? e.withExtensions(Extensions.NONE.withPath(
                        new String(exe, 0, exeLen, StandardCharsets.UTF_8))) : e, pid, ppid);
            }
        } else if (syscall == AuditRuleSet.SOCKET) {
            if (!failed && RawSockets.declared(a0, a1)) {
                out.emitInScope(event(ProbeSource.NET_RAW_SOCKET_OPENED, pid, comm, 0, commLen, record.stampMillis())
                        .withExtensions(Extensions.NONE.withSocket(RawSockets.describe(a0, a1, a2))), pid, ppid);
            }
        } else if (failed && rules.isRefusal((int) syscall, exit)) {
            out.emitInScope(event(ProbeSource.CAPABILITY_DENIED, pid, comm, 0, commLen, record.stampMillis())
                    .withExtensions(Extensions.NONE.withSyscall((int) syscall)), pid, ppid);
        }
    }

    private void onSockaddr(AuditRecord record, ProbeOutput out) {
        int slot = find(record.serial());
        if (slot < 0) {
            return; // not a connect's address: bind, sendto, accept ... under someone else's rule
        }
        int len = -1;
        while (record.nextField()) {
            if (record.keyIs(SADDR)) {
                len = record.hexBytes(sockaddr);
            }
        }
        peer.setLength(0);
        if (len > 0 && PeerAddress.append(sockaddr, len, peer)) {
            out.emitInScope(event(ProbeSource.NET_CONNECT_ATTEMPTED, pendingPid[slot], pendingComm, slot * COMM_BYTES,
                    pendingCommLen[slot], pendingStamp[slot]).withExtensions(Extensions.NONE.withPeer(peer.toString())),
                    pendingPid[slot], pendingPpid[slot]);
        }
        release(slot);
    }

    private void onSeccomp(AuditRecord record, ProbeOutput out) {
        readFields(record);
        if (pid < 0 || code < 0) {
            out.lost(1);
            return;
        }
        int action = (int) code & Seccomp.RET_ACTION_FULL;
        boolean refused = action == Seccomp.RET_ERRNO || action == Seccomp.RET_TRAP
                || action == Seccomp.RET_KILL_THREAD || action == Seccomp.RET_KILL_PROCESS;
        if (!refused) {
            return;
        }
        Extensions ext = Extensions.NONE;
        if (arch == Integer.toUnsignedLong(AuditRule.ARCH_X86_64) && syscall >= 0 && syscall < Seccomp.X32_SYSCALL_BIT
                && syscall <= 0xffff) {
            ext = ext.withSyscall((int) syscall);
        }
        out.emitInScope(event(ProbeSource.CAPABILITY_DENIED, pid, comm, 0, commLen, record.stampMillis())
                .withExtensions(ext), pid, -1);
    }

    /** Puts the connect just read in the table; when it is full, the oldest entry makes room and is counted as lost. */
    private void hold(AuditRecord record, ProbeOutput out) {
        int slot = -1;
        int oldest = 0;
        for (int i = 0; i < pendingSerial.length; i++) {
            if (pendingSerial[i] == FREE) {
                slot = i;
                break;
            }
            if (pendingAge[i] < pendingAge[oldest]) {
                oldest = i;
            }
        }
        if (slot < 0) {
            slot = oldest;
            out.lost(1);
        }
        pendingSerial[slot] = record.serial();
        pendingStamp[slot] = record.stampMillis();
        pendingAge[slot] = age++;
        pendingPid[slot] = pid;
        pendingPpid[slot] = ppid;
        System.arraycopy(comm, 0, pendingComm, slot * COMM_BYTES, commLen);
        pendingCommLen[slot] = commLen;
    }

    private int find(long serial) {
        for (int i = 0; i < pendingSerial.length; i++) {
            if (pendingSerial[i] == serial) {
                return i;
            }
        }
        return -1;
    }

    private void release(int slot) {
        if (slot >= 0) {
            pendingSerial[slot] = FREE;
        }
    }

    private ProbeEvent event(ProbeSource source, int pid, byte[] commBytes, int commOff, int commLength, long stampMillis) {
        long lag = Math.max(0, nowRealMillis - stampMillis);
        return ProbeEvent.of(source, pid, new String(commBytes, commOff, commLength, StandardCharsets.UTF_8),
                Math.max(0, nowMonoNanos - lag * 1_000_000L));
    }
}
