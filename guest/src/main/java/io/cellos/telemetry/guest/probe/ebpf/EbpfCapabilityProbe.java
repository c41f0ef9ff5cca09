package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Btf;
import io.cellos.telemetry.guest.linux.Kallsyms;
import io.cellos.telemetry.guest.linux.PacketSocket;
import io.cellos.telemetry.guest.linux.PeerAddress;
import io.cellos.telemetry.guest.linux.SyscallTable;
import io.cellos.telemetry.guest.linux.TraceEvent;
import io.cellos.telemetry.guest.linux.Tracefs;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.guest.probe.RawSockets;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

import java.io.IOException;
import java.util.List;

/**
 * Capability denials and raw sockets, from an eBPF program on the kernel's {@code capability/cap_capable}
 * tracepoint ({@link CapabilityPrograms}), read from a BPF ring buffer.
 *
 * <p>{@code net.raw_socket_opened} for each raw IP or packet socket a process in scope is granted
 * ({@link RawSockets}): the kernel checks {@code CAP_NET_RAW} to create one, and the check is kept
 * when it was made by the kernel's socket creator. {@code socket} is the family, type and protocol
 * {@code socket(2)} was called with; for a socket created another way (io_uring), only what the
 * creator implies. The socket is opened after the check unless the protocol is unknown or memory
 * runs out: the event declares the attempt the kernel allowed.
 *
 * <p>{@code capability.denied}
 * for each failed capability check the kernel would audit, made by a process in scope, with
 * {@code capability} the capability's number, {@code syscall} the x86-64 system call the process was
 * making when the thread entered the kernel by {@code syscall} (left out otherwise), {@code guest_comm}
 * the checking thread's name, {@code guest_monotonic_ns} the kernel's stamp ({@code CLOCK_MONOTONIC}).
 * Nothing runs on a system call that makes no capability check, and a granted check costs the
 * program a compare: the workload pays for its refusals only.
 *
 * <p><b>What a consumer sees.</b> A check is a question the kernel asks, not the outcome of the call:
 * <ul>
 * <li>The kernel's silent checks ({@code CAP_OPT_NOAUDIT}: {@code cap_vm_enough_memory}'s
 *     {@code CAP_SYS_ADMIN} on every accounted mapping, {@code ns_capable_noaudit},
 *     {@code has_capability_noaudit}), which pick a behaviour and refuse nothing, are not declared;
 *     they are counted ({@link #silent}). They are told by the kernel stack at the check, whose
 *     callers' addresses come from {@code /proc/kallsyms}.</li>
 * <li>A check the kernel would audit is declared when it fails, whether or not the call then
 *     fails: a call may try a capability and fall back (it is then declared though nothing was
 *     refused), and one refused operation may ask for several capabilities (each is declared).</li>
 * <li>A call refused without a capability check (a permission bit, seccomp, an LSM) is not seen
 *     here.</li>
 * </ul>
 *
 * <p>Losses: a kept check seen while the ring was full is counted in the kernel and reaches
 * {@link ProbeOutput#lost}; kept checks seen = declared (or out of scope) + lost, exactly
 * ({@link #seen}).
 *
 * <p>Confined to the loop thread, which the ring buffer's fd wakes level-triggered; it handles at
 * most {@value #RECORDS_PER_WAKEUP} records per wake-up. Owns, from {@link #arm} to {@link #close},
 * the ring ({@link CountedRing}), program and perf event ({@link AttachedPrograms}): closing it
 * detaches and unloads all.
 */
public final class EbpfCapabilityProbe extends RingProbe {
    /** The default ring: about 2,300 records can wait for the loop. */
    public static final int DEFAULT_RING_BYTES = 1 << 17;
    static final String DESCRIPTION = "capability denials and raw sockets (eBPF tracepoint)";
    private static final int[] CREATOR_FAMILY = {PeerAddress.AF_INET, PeerAddress.AF_INET6, PacketSocket.AF_PACKET};
    private static final int SOCKET = SyscallTable.number("socket");
    private static final String TRACEPOINT = "capability/cap_capable";

    /** Being read for the next {@link #load}, or null: that load reads them itself. */
    private CallerRanges callers;

    /** A probe with the {@linkplain #DEFAULT_RING_BYTES default ring}. */
    public EbpfCapabilityProbe() {
        this(DEFAULT_RING_BYTES);
    }

    /** @param ringBytes the ring buffer's size: a power of two, at least a page */
    public EbpfCapabilityProbe(int ringBytes) {
        this(ringBytes, new KernelBtf(), WakeWindow.NONE);
    }

    /**
     * A probe with the default ring, reading the kernel's BTF from {@code kernelTypes} and waking
     * its reader under {@code window}, which probes armed together share, and its callers'
     * addresses from {@code callers}, being read meanwhile. A later {@link #arm} after a
     * {@link #close} reads both anew.
     */
    public EbpfCapabilityProbe(KernelBtf kernelTypes, CallerRanges callers, WakeWindow window) {
        this(DEFAULT_RING_BYTES, kernelTypes, window);
        this.callers = callers;
    }

    private EbpfCapabilityProbe(int ringBytes, KernelBtf kernelTypes, WakeWindow window) {
        super(DESCRIPTION, ringBytes, CapabilityPrograms.COUNTERS_BYTES, "cellos_caps", kernelTypes, window);
    }

    /**
     * Reads the tracepoint's layout, the silent callers' addresses and the saved registers' layout,
     * creates the maps, builds, loads and attaches the program.
     *
     * @throws io.cellos.telemetry.guest.linux.BpfLoadException with the verifier's log if the program is refused
     * @throws io.cellos.telemetry.guest.linux.ErrnoException naming the call that failed
     * @throws IOException if tracefs, {@code /proc/kallsyms} or the kernel's BTF cannot be read
     */
    @Override
    void load(KernelBtf types) throws IOException {
        TraceEvent tp = Tracefs.events(TRACEPOINT).getFirst();
        // one read of /proc/kallsyms (some 120,000 lines) for both lists
        List<Kallsyms.Range> known = (callers == null ? CallerRanges.startReading() : callers).get();
        callers = null;
        List<Kallsyms.Range> silent = known.stream()
                .filter(r -> CapabilityPrograms.SILENT_CALLERS.contains(r.name())).toList();
        List<Kallsyms.Range> creators = known.stream()
                .filter(r -> CapabilityPrograms.SOCKET_CREATORS.contains(r.name())).toList();
        CapabilityPrograms.PtRegs regs = ptRegs(types.get());
        CountedRing ring = openRing();
        CapabilityPrograms code = new CapabilityPrograms(ring, silent, creators, regs);
        programs.attach(tp, code.checks(tp), "cellos_caps");
    }

    /** The saved registers' layout, from BTF; {@code sp} and the word after it ({@code ss}) end it. */
    private static CapabilityPrograms.PtRegs ptRegs(Btf btf) {
        Btf.Member sp = btf.member("pt_regs", "sp");
        return new CapabilityPrograms.PtRegs(sp.offset() + 16, word(btf, "orig_ax"), word(btf, "ip"), word(btf, "cx"),
                word(btf, "r11"), word(btf, "flags"), btf.member("pt_regs", "cs").offset(), word(btf, "di"),
                word(btf, "si"), word(btf, "dx"));
    }

    private static int word(Btf btf, String register) {
        Btf.Member m = btf.member("pt_regs", register);
        if (m.size() != 8) {
            throw new IllegalStateException("this kernel's pt_regs." + register + " is " + m.size() + " bytes, not 8");
        }
        return m.offset();
    }

    /**
     * Checks kept by the program (failed ones, and raw sockets granted): those read, those waiting
     * in the ring, and those lost.
     */
    @Override
    public long seen() {
        return super.seen();
    }

    /** Failed checks of the kernel's silent callers, counted and not declared. */
    public long silent() {
        return ring().counter(CapabilityPrograms.SILENT);
    }

    @Override
    void handle(ProbeOutput out, RingRecord r) {
        int pid = r.pid();
        int syscall = r.i32(CapabilityPrograms.SYSCALL);
        int creator = r.i32(CapabilityPrograms.CREATOR);
        Extensions ext;
        ProbeSource source;
        if (creator >= 0) {
            source = ProbeSource.NET_RAW_SOCKET_OPENED;
            long family = r.i64(CapabilityPrograms.ARGS);
            long type = r.i64(CapabilityPrograms.ARGS + 8);
            boolean fromCall = syscall == SOCKET && (int) family == CREATOR_FAMILY[creator]
                    && RawSockets.declared((int) family, (int) type);
            ext = Extensions.NONE.withSocket(fromCall
                    ? RawSockets.describe((int) family, (int) type,
                            (int) r.i64(CapabilityPrograms.ARGS + 16))
                    : RawSockets.describe(CREATOR_FAMILY[creator]));
        } else {
            source = ProbeSource.CAPABILITY_DENIED;
            ext = Extensions.NONE.withCapability(r.i32(CapabilityPrograms.CAP));
            if (syscall >= 0) {
                ext = ext.withSyscall(syscall);
            }
        }
        out.emitInScope(new ProbeEvent(Wire.VERSION_1_1, source, pid, r.comm(), r.nanos(), ext), pid, -1);
    }
}
