package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.BpfHelper;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.EbpfProgram.Size;
import io.cellos.telemetry.guest.linux.Kallsyms;
import io.cellos.telemetry.guest.linux.TraceEvent;

import java.util.List;
import java.util.function.IntFunction;

import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.EQ;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.GE;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.LT;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.NE;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R1;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R10;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R3;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R4;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R6;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R7;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R9;

/**
 * The tracepoint program of the eBPF capability probe ({@link #checks}), on
 * {@code capability/cap_capable}, which the kernel fires in {@code cap_capable()} for every
 * capability check of every process, granted or not, and the record it writes to the ring buffer.
 *
 * <p>What it keeps, first: a {@code CAP_NET_RAW} check that was granted to a function that creates
 * a raw or packet socket ({@link #SOCKET_CREATORS}: {@code inet_create} and {@code inet6_create}
 * check it for {@code SOCK_RAW} only, {@code packet_create} for every {@code AF_PACKET} socket),
 * told by the kernel stack at the check as below: a raw socket being opened, however the call was
 * made ({@code socket(2)}, io_uring's {@code IORING_OP_SOCKET}). The record's {@code creator} says
 * which function; a granted check costs a load and two compares, and only a granted
 * {@code CAP_NET_RAW} walks the stack.
 *
 * <p>And a failed check ({@code ret != 0}) that the kernel would audit. The tracepoint
 * does not carry the check's options, so {@code CAP_OPT_NOAUDIT} — the kernel's silent checks, which
 * choose a behaviour rather than refuse an operation ({@code cap_vm_enough_memory}'s
 * {@code CAP_SYS_ADMIN} on every accounted mapping, inlined into {@code security_vm_enough_memory_mm}
 * on 6.18: hundreds per {@code python3} start; {@code ns_capable_noaudit} from {@code ptrace_may_access}
 * and the sysctl table's permissions,
 * {@code has_capability_noaudit}, ...) — is told from the kernel stack instead: the program takes
 * the innermost {@value #FRAMES} return addresses ({@code bpf_get_stack}) and, when one lies in a
 * function of {@link #SILENT_CALLERS} (address ranges from {@code /proc/kallsyms}), counts the check
 * as {@linkplain #SILENT silent} and writes nothing. A granted check costs a load and a compare; only
 * a failed one, or a granted {@code CAP_NET_RAW}, walks the stack.
 *
 * <p>The system call: when the thread entered the kernel by {@code syscall} (x86-64), the registers
 * it saved ({@code bpf_task_pt_regs}) say which call it is making, {@code orig_ax}, and with what
 * first three arguments, {@code di}, {@code si} and {@code dx}. An entry by
 * {@code syscall} is recognised by what the instruction leaves and the entry code saves: {@code cx}
 * holds the return address {@code ip} and {@code r11} the flags, from user code ({@code cs} the
 * 64-bit user segment). A check made on another path (a fault, a kernel thread, an io_uring worker)
 * gives none.
 *
 * <p>Record, little-endian, {@value #RECORD_BYTES} bytes: the {@link RecordHeader} (kind
 * {@link #CHECK}; pid the checking process; comm the checking thread's name), then:
 * <pre>
 *  32  s32  cap       the capability checked
 *  36  s32  ret       cap_capable's answer: 0 (granted), or -EPERM
 *  40  s32  syscall   the x86-64 system call in progress, or -1
 *  44  s32  creator   a granted CAP_NET_RAW: the index of the socket creator in {@link #SOCKET_CREATORS}; else -1
 *  48  u64  args[3]   the system call's first three arguments, when syscall is not -1
 * </pre>
 *
 * <p>Counters: the {@link CountedRing}'s {@code lost} and {@code seen} (checks kept:
 * {@code seen == delivered + lost}), then {@code u64 silent} at {@value #SILENT} (failed checks of
 * the silent callers, not written).
 */
final class CapabilityPrograms {
    static final int CHECK = 1;
    static final int CAP = RecordHeader.BYTES;
    static final int RET = CAP + 4;
    static final int SYSCALL = RET + 4;
    static final int CREATOR = SYSCALL + 4;
    static final int ARGS = CREATOR + 4;
    static final int RECORD_BYTES = ARGS + 3 * 8;
    /** {@code CAP_NET_RAW}. */
    static final int CAP_NET_RAW = 13;
    /**
     * The functions that check {@code CAP_NET_RAW} to create a raw or packet socket, in the order
     * of a record's {@code creator}: {@code AF_INET}, {@code AF_INET6} ({@code SOCK_RAW}) and
     * {@code AF_PACKET} (any type).
     */
    static final List<String> SOCKET_CREATORS = List.of("inet_create", "inet6_create", "packet_create");
    static final int SILENT = CountedRing.COUNTERS_BYTES;
    static final int COUNTERS_BYTES = SILENT + 8;
    /** Return addresses looked at: cap_capable's own, its caller's, and two more for a wrapper. */
    static final int FRAMES = 6;
    /**
     * The kernel's callers of a capability check with {@code CAP_OPT_NOAUDIT}: a failure under one of
     * them refuses nothing the kernel would report.
     */
    static final List<String> SILENT_CALLERS = List.of("ns_capable_noaudit", "has_ns_capability_noaudit",
            "has_capability_noaudit", "cap_vm_enough_memory", "security_vm_enough_memory_mm", "kallsyms_show_value");
    /** {@code __USER_CS}: the 64-bit user code segment. */
    private static final int USER_CS = 0x33;
    private static final String OUT = "out";
    private static final String FAILED = "failed";
    private static final String KEEP = "keep";
    private static final String SILENCED = "silenced";

    /** Stack slots below {@code r10}, under the ring's key: the return addresses, the saved registers. */
    private static final int STACK = -8 - FRAMES * 8;
    private static final int REGS_BYTES = 168;
    private static final int REGS = STACK - REGS_BYTES;

    private final CountedRing ring;
    private final List<Kallsyms.Range> silent;
    private final List<Kallsyms.Range> creators;
    private final PtRegs regs;

    /**
     * Where this kernel's {@code struct pt_regs} keeps the registers the program compares.
     *
     * @param size the structure's size (read whole, it must be at most {@value #REGS_BYTES} bytes)
     */
    record PtRegs(int size, int origAx, int ip, int cx, int r11, int flags, int cs, int di, int si, int dx) {
    }

    /**
     * @param ring     where records go; with {@value #COUNTERS_BYTES} bytes of counters
     * @param silent   the code of the {@link #SILENT_CALLERS} this kernel has
     * @param creators the code of the {@link #SOCKET_CREATORS} this kernel has, any order
     * @param regs     the layout of its saved registers
     */
    CapabilityPrograms(CountedRing ring, List<Kallsyms.Range> silent, List<Kallsyms.Range> creators, PtRegs regs) {
        if (regs.size() > REGS_BYTES) {
            throw new IllegalArgumentException("this kernel's struct pt_regs is " + regs.size() + " bytes, more than "
                    + REGS_BYTES);
        }
        this.ring = ring;
        this.silent = List.copyOf(silent);
        this.creators = List.copyOf(creators);
        this.regs = regs;
    }

    /**
     * On {@code capability/cap_capable}: a granted {@code CAP_NET_RAW} of a socket creator, and a
     * failed check that is not a silent one.
     */
    EbpfProgram checks(TraceEvent tp) {
        int ret = tp.field("ret", 4).offset();
        int cap = tp.field("cap", 4).offset();
        EbpfProgram p = new EbpfProgram()
                .mov(R6, R1)                                                  // r6 = the tracepoint's record
                .movImm(R9, -1)                                               // r9 = the creator: none
                .load(Size.W, R1, R6, ret)                                    // r1 = ret
                .jumpIf(R1, NE, 0, FAILED)
                .load(Size.W, R1, R6, cap)
                .jumpIf(R1, NE, CAP_NET_RAW, OUT);                            // granted: the common case, done
        ring.lookUpCounters(p, OUT);                                          // r8 = the counters
        stack(p);
        jumpIfCalledFrom(p, "creators", creators, c -> "creator_" + c);
        p.jump(OUT);                                                          // CAP_NET_RAW for something else
        for (int c = 0; c < creators.size(); c++) {
            p.label("creator_" + c)
                    .movImm(R9, SOCKET_CREATORS.indexOf(creators.get(c).name()))
                    .jump(KEEP);
        }
        p.label(FAILED);
        ring.lookUpCounters(p, OUT);
        stack(p);
        jumpIfCalledFrom(p, "silent", silent, s -> SILENCED);
        p.label(KEEP);
        ring.reserveCounted(p, CHECK, RECORD_BYTES, OUT);                     // r7 = the record
        p.load(Size.W, R1, R6, cap)
                .store(Size.W, R7, CAP, R1)
                .load(Size.W, R1, R6, ret)
                .store(Size.W, R7, RET, R1)
                .store(Size.W, R7, CREATOR, R9);
        syscall(p);
        ring.submit(p);
        p.jump(OUT)
                .label(SILENCED);
        CountedRing.count(p, SILENT);                                         // nothing written
        return p.label(OUT)
                .movImm(R0, 0)
                .exit();
    }

    /** Appends: the innermost {@value #FRAMES} kernel return addresses to the stack's room, the rest zeroed. */
    private static void stack(EbpfProgram p) {
        p.mov(R1, R6)                                                         // the program's context, as the helper wants
                .mov(R2, R10)
                .addImm(R2, STACK)                                            // r2 = the return addresses' room
                .movImm(R3, FRAMES * 8)
                .movImm(R4, 0)                                                // kernel stack, no skipping
                .call(BpfHelper.GET_STACK);
    }

    /**
     * Appends: jump to label {@code target.apply(i)} when a return address lies in
     * {@code functions.get(i)}; fall through when none does. {@code name} keeps this test's own
     * labels apart from another's.
     */
    private static void jumpIfCalledFrom(EbpfProgram p, String name, List<Kallsyms.Range> functions,
                                         IntFunction<String> target) {
        for (int f = 0; f < FRAMES; f++) {
            p.load(Size.DW, R1, R10, STACK + f * 8);                          // r1 = return address f
            for (int s = 0; s < functions.size(); s++) {
                String next = name + "_f" + f + "_" + s;
                p.loadImm64(R2, functions.get(s).start())
                        .jumpIfReg(R1, LT, R2, next)                          // unsigned: below the function
                        .loadImm64(R2, functions.get(s).end())
                        .jumpIfReg(R1, LT, R2, target.apply(s))                       // within it
                        .label(next);
            }
        }
    }

    /**
     * Fills the record in {@code r7}'s syscall and arguments: {@code orig_ax}, {@code di}, {@code si}
     * and {@code dx} if the thread is in an x86-64 system call, else -1 and zeros.
     */
    private void syscall(EbpfProgram p) {
        p.storeImm(Size.W, R7, SYSCALL, -1)                                   // until the registers say otherwise
                .storeImm(Size.DW, R7, ARGS, 0)
                .storeImm(Size.DW, R7, ARGS + 8, 0)
                .storeImm(Size.DW, R7, ARGS + 16, 0)
                .call(BpfHelper.GET_CURRENT_TASK_BTF)
                .mov(R1, R0)
                .call(BpfHelper.TASK_PT_REGS)                                 // r0 = task_pt_regs(current)
                .mov(R3, R0)
                .mov(R1, R10)
                .addImm(R1, REGS)
                .movImm(R2, regs.size())
                .call(BpfHelper.PROBE_READ_KERNEL)                            // [REGS] = the saved registers
                .jumpIf(R0, NE, 0, "no_call")
                .load(Size.H, R1, R10, REGS + regs.cs())
                .jumpIf(R1, NE, USER_CS, "no_call")                           // not from 64-bit user code
                .load(Size.DW, R1, R10, REGS + regs.cx())
                .load(Size.DW, R2, R10, REGS + regs.ip())
                .jumpIfReg(R1, NE, R2, "no_call")                             // cx != ip: not entered by syscall
                .load(Size.DW, R1, R10, REGS + regs.r11())
                .load(Size.DW, R2, R10, REGS + regs.flags())
                .jumpIfReg(R1, NE, R2, "no_call")                             // r11 != flags: not entered by syscall
                .load(Size.DW, R1, R10, REGS + regs.origAx())                 // r1 = the call's number
                .jumpIf(R1, GE, 1024, "no_call")                              // unsigned: no x86-64 call (x32, -1)
                .store(Size.W, R7, SYSCALL, R1)
                .load(Size.DW, R1, R10, REGS + regs.di())
                .store(Size.DW, R7, ARGS, R1)
                .load(Size.DW, R1, R10, REGS + regs.si())
                .store(Size.DW, R7, ARGS + 8, R1)
                .load(Size.DW, R1, R10, REGS + regs.dx())
                .store(Size.DW, R7, ARGS + 16, R1)
                .label("no_call");
    }
}
