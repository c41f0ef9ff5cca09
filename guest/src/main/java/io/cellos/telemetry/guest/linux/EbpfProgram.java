package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An eBPF program ({@code struct bpf_insn[]}, {@code <linux/bpf.h>}) assembled instruction by
 * instruction, with symbolic labels resolved when it is {@linkplain #encode encoded}: the builder
 * beside the classic one ({@link BpfProgram}) for programs the kernel's verifier checks and runs on
 * tracepoints.
 *
 * <p>Each method appends one instruction and reads like the assembly {@code bpftool prog dump
 * xlated} prints, given in its javadoc. Registers are {@link #R0} to {@link #R10}: {@code r0} the
 * return value, {@code r1}–{@code r5} a call's arguments (clobbered by it), {@code r6}–{@code r9}
 * kept across calls, {@code r10} the read-only frame pointer (512 bytes of stack below it).
 * {@link #loadImm64}, {@link #loadMapFd} and {@link #loadMapValue} take two slots, as the encoding does.
 *
 * <p>Encoding (x86-64, little-endian): per slot, {@code u8 code}, {@code u8 src << 4 | dst},
 * {@code s16 off}, {@code s32 imm}. A jump's offset counts slots from the one after it.
 * {@link #encode} refuses a label never placed and a jump out of a 16-bit offset's reach.
 *
 * <p>Not thread-safe; build on one thread, then encode.
 */
public final class EbpfProgram {
    public static final int R0 = 0;
    public static final int R1 = 1;
    public static final int R2 = 2;
    public static final int R3 = 3;
    public static final int R4 = 4;
    public static final int R5 = 5;
    public static final int R6 = 6;
    public static final int R7 = 7;
    public static final int R8 = 8;
    public static final int R9 = 9;
    /** The frame pointer: read-only, the stack lies below it. */
    public static final int R10 = 10;
    /** {@code sizeof(struct bpf_insn)}. */
    public static final int SLOT_BYTES = 8;

    /** An access width: the {@code BPF_SIZE} bits of a load or store. */
    public enum Size {
        /** 32 bits. */
        W(0x00),
        /** 16 bits. */
        H(0x08),
        /** 8 bits. */
        B(0x10),
        /** 64 bits. */
        DW(0x18);

        final int code;

        Size(int code) {
            this.code = code;
        }
    }

    /** A comparison of a conditional jump: the {@code BPF_OP} bits of a {@code BPF_JMP}. */
    public enum Compare {
        EQ(0x10), GT(0x20), GE(0x30), NE(0x50), LT(0xa0), LE(0xb0);

        final int op;

        Compare(int op) {
            this.op = op;
        }
    }

    // instruction classes
    private static final int LD = 0x00;
    private static final int LDX = 0x01;
    private static final int ST = 0x02;
    private static final int STX = 0x03;
    private static final int JMP = 0x05;
    private static final int ALU64 = 0x07;
    // modes and sources
    private static final int IMM = 0x00;
    private static final int MEM = 0x60;
    private static final int ATOMIC = 0xc0;
    private static final int K = 0x00;
    private static final int X = 0x08;
    // ALU operations
    private static final int ADD = 0x00;
    private static final int SUB = 0x10;
    private static final int AND = 0x50;
    private static final int RSH = 0x70;
    private static final int MOV = 0xb0;
    // jump operations
    private static final int JA = 0x00;
    private static final int CALL = 0x80;
    private static final int EXIT = 0x90;
    /** {@code src_reg} of an {@code ld_imm64} whose immediate is a map's fd, which the verifier replaces by the map. */
    private static final int PSEUDO_MAP_FD = 1;
    /** {@code src_reg} of an {@code ld_imm64} whose immediates are a map's fd and an offset into its value, which the verifier replaces by that address. */
    private static final int PSEUDO_MAP_VALUE = 2;
    /** {@code src_reg} of a {@code call} whose immediate is a kernel function's BTF id ({@code off} 0: vmlinux's). */
    private static final int PSEUDO_KFUNC_CALL = 2;

    private record Slot(int code, int dst, int src, int off, int imm, String label) {
    }

    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    /** {@code dst = src} (64 bits). */
    public EbpfProgram mov(int dst, int src) {
        return add(ALU64 | MOV | X, dst, src, 0, 0);
    }

    /** {@code dst = imm} (sign-extended to 64 bits). */
    public EbpfProgram movImm(int dst, int imm) {
        return add(ALU64 | MOV | K, dst, 0, 0, imm);
    }

    /** {@code dst += imm} (64 bits; the verifier tracks a pointer through it). */
    public EbpfProgram addImm(int dst, int imm) {
        return add(ALU64 | ADD | K, dst, 0, 0, imm);
    }

    /** {@code dst += src} (64 bits). */
    public EbpfProgram addReg(int dst, int src) {
        return add(ALU64 | ADD | X, dst, src, 0, 0);
    }

    /** {@code dst -= src} (64 bits). */
    public EbpfProgram subReg(int dst, int src) {
        return add(ALU64 | SUB | X, dst, src, 0, 0);
    }

    /** {@code dst &= imm} (64 bits, {@code imm} sign-extended). */
    public EbpfProgram andImm(int dst, int imm) {
        return add(ALU64 | AND | K, dst, 0, 0, imm);
    }

    /** {@code dst >>= imm} (64 bits, logical). */
    public EbpfProgram rshImm(int dst, int imm) {
        return add(ALU64 | RSH | K, dst, 0, 0, imm);
    }

    /** {@code dst = *(size *)(src + off)}, zero-extended. */
    public EbpfProgram load(Size size, int dst, int src, int off) {
        return add(LDX | MEM | size.code, dst, src, off, 0);
    }

    /** {@code *(size *)(dst + off) = src}. */
    public EbpfProgram store(Size size, int dst, int off, int src) {
        return add(STX | MEM | size.code, dst, src, off, 0);
    }

    /** {@code *(size *)(dst + off) = imm}. */
    public EbpfProgram storeImm(Size size, int dst, int off, int imm) {
        return add(ST | MEM | size.code, dst, 0, off, imm);
    }

    /** {@code lock *(u64 *)(dst + off) += src}: an atomic add, as {@code __sync_fetch_and_add} without the fetch. */
    public EbpfProgram atomicAdd(int dst, int off, int src) {
        return add(STX | ATOMIC | Size.DW.code, dst, src, off, ADD);
    }

    /** {@code dst = imm} (all 64 bits; two slots). */
    public EbpfProgram loadImm64(int dst, long imm) {
        add(LD | IMM | Size.DW.code, dst, 0, 0, (int) imm);
        return add(0, 0, 0, 0, (int) (imm >>> 32));
    }

    /** {@code dst = map[fd]}: the map whose descriptor is {@code mapFd}, for a helper's map argument (two slots). */
    public EbpfProgram loadMapFd(int dst, int mapFd) {
        add(LD | IMM | Size.DW.code, dst, PSEUDO_MAP_FD, 0, mapFd);
        return add(0, 0, 0, 0, 0);
    }

    /**
     * {@code dst = &map[fd][0] + offset}: the address of the first value of the array map whose
     * descriptor is {@code mapFd}, plus {@code offset}, with no helper call (two slots).
     */
    public EbpfProgram loadMapValue(int dst, int mapFd, int offset) {
        add(LD | IMM | Size.DW.code, dst, PSEUDO_MAP_VALUE, 0, mapFd);
        return add(0, 0, 0, 0, offset);
    }

    /** {@code call helper}: arguments in {@code r1}–{@code r5}, the result in {@code r0}. */
    public EbpfProgram call(BpfHelper helper) {
        return add(JMP | CALL, 0, 0, 0, helper.id);
    }

    /**
     * {@code call kfunc}: a kernel function exported to eBPF, by its BTF type id in vmlinux
     * ({@link Btf#functionId}); arguments and result as for {@link #call}.
     */
    public EbpfProgram callKernelFunction(int btfId) {
        return add(JMP | CALL, 0, PSEUDO_KFUNC_CALL, 0, btfId);
    }

    /** {@code if dst <compare> imm goto label}. */
    public EbpfProgram jumpIf(int dst, Compare compare, int imm, String label) {
        return jump(JMP | compare.op | K, dst, 0, imm, label);
    }

    /** {@code if dst <compare> src goto label}. */
    public EbpfProgram jumpIfReg(int dst, Compare compare, int src, String label) {
        return jump(JMP | compare.op | X, dst, src, 0, label);
    }

    /** {@code goto label}. */
    public EbpfProgram jump(String label) {
        return jump(JMP | JA, 0, 0, 0, label);
    }

    /** {@code exit}: the program returns {@code r0}. */
    public EbpfProgram exit() {
        return add(JMP | EXIT, 0, 0, 0, 0);
    }

    /** Places {@code label} at the next instruction. */
    public EbpfProgram label(String name) {
        if (labels.putIfAbsent(name, slots.size()) != null) {
            throw new IllegalStateException("label " + name + " placed twice");
        }
        return this;
    }

    /** The number of slots so far (an {@code ld_imm64} counts two). */
    public int slots() {
        return slots.size();
    }

    /**
     * Encodes the program as {@code struct bpf_insn[]} in {@code arena}.
     *
     * @throws IllegalStateException if it is empty, a label is missing or a jump is out of reach
     */
    public MemorySegment encode(Arena arena) {
        if (slots.isEmpty()) {
            throw new IllegalStateException("an eBPF program has at least one instruction");
        }
        MemorySegment out = arena.allocate((long) slots.size() * SLOT_BYTES, 8);
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            int off = s.label() == null ? s.off() : offset(i, s.label());
            long at = (long) i * SLOT_BYTES;
            out.set(JAVA_BYTE, at, (byte) s.code());
            out.set(JAVA_BYTE, at + 1, (byte) (s.src() << 4 | s.dst()));
            out.set(JAVA_SHORT, at + 2, (short) off);
            out.set(JAVA_INT, at + 4, s.imm());
        }
        return out;
    }

    private EbpfProgram jump(int code, int dst, int src, int imm, String label) {
        checkRegister(dst);
        checkRegister(src);
        slots.add(new Slot(code, dst, src, 0, imm, label));
        return this;
    }

    private EbpfProgram add(int code, int dst, int src, int off, int imm) {
        checkRegister(dst);
        checkRegister(src);
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalArgumentException("an eBPF offset is 16 bits, not " + off);
        }
        slots.add(new Slot(code, dst, src, off, imm, null));
        return this;
    }

    private static void checkRegister(int r) {
        if (r < R0 || r > R10) {
            throw new IllegalArgumentException("no eBPF register r" + r);
        }
    }

    private int offset(int from, String label) {
        Integer to = labels.get(label);
        if (to == null) {
            throw new IllegalStateException("eBPF label " + label + " is never placed");
        }
        int off = to - from - 1;
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalStateException("eBPF jump from " + from + " to " + label + " (" + to + ") is out of reach");
        }
        return off;
    }
}
