package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A classic BPF program ({@code struct sock_filter[]}) assembled instruction by instruction, with
 * symbolic labels resolved when it is {@linkplain #encode encoded}.
 *
 * <p>Only the instructions a seccomp filter needs — absolute 32-bit loads, {@code JEQ}/{@code JSET}
 * against a constant, unconditional jumps and returns — and those a socket filter adds to read
 * a packet's headers: absolute and indexed 8- and 16-bit loads, the IPv4 header length into
 * {@code X}, and loads of the kernel's ancillary data (negative offsets, {@link #SKF_AD_PROTOCOL}). A conditional jump to a label must land
 * within 255 instructions (the limit of its 8-bit offsets); {@link #encode} refuses a program that
 * breaks that rule or names a label it never placed, so a wrong program is never installed.
 *
 * <p>Not thread-safe; build on one thread, then encode.
 */
public final class BpfProgram {
    /** The kernel's limit on a filter's length ({@code BPF_MAXINSNS}). */
    public static final int MAX_INSTRUCTIONS = 4096;
    /** {@code sizeof(struct sock_filter)}. */
    static final int INSTRUCTION_BYTES = 8;

    /** An absolute load at this offset reads {@code ntohs(skb->protocol)} ({@code SKF_AD_OFF + SKF_AD_PROTOCOL}). */
    public static final int SKF_AD_PROTOCOL = -0x1000;

    private static final int LD_W_ABS = 0x20;
    private static final int LD_H_ABS = 0x28;
    private static final int LD_B_ABS = 0x30;
    private static final int LD_H_IND = 0x48;
    private static final int LDX_B_MSH = 0xb1;
    private static final int JMP_JA = 0x05;
    private static final int JMP_JEQ_K = 0x15;
    private static final int JMP_JSET_K = 0x45;
    private static final int RET_K = 0x06;

    private record Insn(int code, String trueLabel, String falseLabel, int k) {
    }

    private final List<Insn> insns = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    /** {@code A = *(u32 *)(data + offset)}. */
    public BpfProgram load(int offset) {
        insns.add(new Insn(LD_W_ABS, null, null, offset));
        return this;
    }

    /** {@code A = ntohs(*(u16 *)(data + offset))}; the filter returns 0 if it is out of the packet. */
    public BpfProgram loadHalf(int offset) {
        insns.add(new Insn(LD_H_ABS, null, null, offset));
        return this;
    }

    /** {@code A = *(u8 *)(data + offset)}; the filter returns 0 if it is out of the packet. */
    public BpfProgram loadByte(int offset) {
        insns.add(new Insn(LD_B_ABS, null, null, offset));
        return this;
    }

    /** {@code X = 4 * (*(u8 *)(data + offset) & 0xf)}: an IPv4 header's length from its first byte. */
    public BpfProgram loadHeaderLengthX(int offset) {
        insns.add(new Insn(LDX_B_MSH, null, null, offset));
        return this;
    }

    /** {@code A = ntohs(*(u16 *)(data + X + offset))}; the filter returns 0 if it is out of the packet. */
    public BpfProgram loadHalfAfterX(int offset) {
        insns.add(new Insn(LD_H_IND, null, null, offset));
        return this;
    }

    /** If {@code A == k} go to {@code label}, else fall through. */
    public BpfProgram jumpIfEqual(int k, String label) {
        insns.add(new Insn(JMP_JEQ_K, label, null, k));
        return this;
    }

    /** If {@code A != k} go to {@code label}, else fall through. */
    public BpfProgram jumpIfNotEqual(int k, String label) {
        insns.add(new Insn(JMP_JEQ_K, null, label, k));
        return this;
    }

    /** If {@code (A & k) != 0} go to {@code label}, else fall through. */
    public BpfProgram jumpIfAnySet(int k, String label) {
        insns.add(new Insn(JMP_JSET_K, label, null, k));
        return this;
    }

    /** Go to {@code label} (32-bit offset: any distance). */
    public BpfProgram jump(String label) {
        insns.add(new Insn(JMP_JA, label, null, 0));
        return this;
    }

    /** Return {@code value} (for seccomp, the action). */
    public BpfProgram ret(int value) {
        insns.add(new Insn(RET_K, null, null, value));
        return this;
    }

    /** Places {@code label} at the next instruction. */
    public BpfProgram label(String name) {
        if (labels.putIfAbsent(name, insns.size()) != null) {
            throw new IllegalStateException("label " + name + " placed twice");
        }
        return this;
    }

    /** The number of instructions so far. */
    public int size() {
        return insns.size();
    }

    /**
     * Encodes the program as {@code struct sock_filter[]} in {@code arena}.
     *
     * @throws IllegalStateException if a label is missing, a conditional jump is out of reach, the
     *                               program is empty or too long, or its last instruction is not a return
     */
    public MemorySegment encode(Arena arena) {
        if (insns.isEmpty() || insns.size() > MAX_INSTRUCTIONS) {
            throw new IllegalStateException("a BPF program has 1 to " + MAX_INSTRUCTIONS + " instructions, this has "
                    + insns.size());
        }
        if (insns.getLast().code() != RET_K) {
            throw new IllegalStateException("a BPF program must end with a return");
        }
        MemorySegment out = arena.allocate((long) insns.size() * INSTRUCTION_BYTES, 8);
        for (int i = 0; i < insns.size(); i++) {
            Insn insn = insns.get(i);
            long at = (long) i * INSTRUCTION_BYTES;
            int k = insn.k();
            int jt = 0;
            int jf = 0;
            if (insn.code() == JMP_JA) {
                k = offset(i, insn.trueLabel(), Integer.MAX_VALUE);
            } else {
                jt = insn.trueLabel() == null ? 0 : offset(i, insn.trueLabel(), 255);
                jf = insn.falseLabel() == null ? 0 : offset(i, insn.falseLabel(), 255);
            }
            out.set(JAVA_SHORT, at, (short) insn.code());
            out.set(JAVA_BYTE, at + 2, (byte) jt);
            out.set(JAVA_BYTE, at + 3, (byte) jf);
            out.set(JAVA_INT, at + 4, k);
        }
        return out;
    }

    /** {@code struct sock_fprog} for {@code filter}, the result of {@link #encode}. */
    static MemorySegment fprog(Arena arena, MemorySegment filter) {
        MemorySegment prog = arena.allocate(16, 8);
        prog.set(JAVA_SHORT, 0, (short) (filter.byteSize() / INSTRUCTION_BYTES));
        prog.set(JAVA_LONG, 8, Native.address(filter)); // not ADDRESS: its var handle spins classes at start
        return prog;
    }

    private int offset(int from, String label, int max) {
        Integer to = labels.get(label);
        if (to == null) {
            throw new IllegalStateException("BPF label " + label + " is never placed");
        }
        int off = to - from - 1;
        if (off < 0 || off > max) {
            throw new IllegalStateException("BPF jump from " + from + " to " + label + " (" + to + ") is out of reach");
        }
        return off;
    }
}
