package io.cellos.telemetry.guest.linux;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One audit filter rule: {@code struct audit_rule_data} ({@code <linux/audit.h>}), as
 * {@code AUDIT_ADD_RULE} and {@code AUDIT_DEL_RULE} carry it and {@code AUDIT_LIST_RULES} reports it.
 *
 * <p>The struct is {@code flags} (the filter list), {@code action}, {@code field_count}, a 64-word
 * syscall bit mask, then 64 each of field types, values and operators ({@code fieldflags}), then
 * {@code buflen} and the string values of string fields, back to back without terminators; a string
 * field's value is its length.
 *
 * <p>Immutable; {@link #equals} compares what the kernel compares when it deletes a rule, so a rule
 * read back from a listing equals the one that was added.
 */
public final class AuditRule {
    /** {@code AUDIT_FILTER_USER}: evaluated for messages from user space (its {@code never} drops them). */
    public static final int LIST_USER = 0x00;
    /** {@code AUDIT_FILTER_TASK}: evaluated when a task is made (its {@code never} leaves it unaudited). */
    public static final int LIST_TASK = 0x01;
    /** {@code AUDIT_FILTER_EXIT}: evaluated at system-call exit. */
    public static final int LIST_EXIT = 0x04;
    /** {@code AUDIT_FILTER_EXCLUDE}: drops records by type before they are made. */
    public static final int LIST_EXCLUDE = 0x05;
    /** {@code AUDIT_FILTER_URING_EXIT}: evaluated at the end of an io_uring operation. */
    public static final int LIST_URING_EXIT = 0x07;
    /** The list's bits of the rule's flags ({@code AUDIT_FILTER_PREPEND} and others above them). */
    private static final int LIST_BITS = 0x0f;
    /** {@code AUDIT_NEVER}: make no record when the rule matches, whatever later rules say. */
    public static final int ACTION_NEVER = 0;
    /** {@code AUDIT_ALWAYS}: make a record when the rule matches. */
    public static final int ACTION_ALWAYS = 2;

    public static final int FIELD_ARCH = 11;
    public static final int FIELD_EXIT = 103;
    /** {@code AUDIT_SUCCESS}: 1 for a call that succeeded. */
    public static final int FIELD_SUCCESS = 104;
    public static final int FIELD_FILTERKEY = 210;
    /** {@code AUDIT_EXE}: the path of the executable the process runs (a string field). */
    public static final int FIELD_EXE = 112;
    /** {@code AUDIT_ARG0}: the call's first argument; {@code AUDIT_ARG1} the second, and so on. */
    public static final int FIELD_ARG0 = 200;
    public static final int FIELD_ARG1 = 201;
    public static final int FIELD_ARG2 = 202;
    public static final int FIELD_ARG3 = 203;
    public static final int OP_NOT_EQUAL = 0x30000000;
    public static final int OP_EQUAL = 0x40000000;
    /** {@code AUDIT_BIT_TEST}: {@code (field & value) == value}. */
    public static final int OP_BIT_TEST = 0x48000000;
    /** {@code AUDIT_ARCH_X86_64}: {@code EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE}. */
    public static final int ARCH_X86_64 = 0xC000003E;

    private static final int MAX_FIELDS = 64;
    private static final int MASK_WORDS = 64;
    private static final int MAX_KEY_BYTES = 256;
    private static final long MASK_OFF = 12;
    private static final long TYPES_OFF = MASK_OFF + MASK_WORDS * 4;
    private static final long VALUES_OFF = TYPES_OFF + MAX_FIELDS * 4;
    private static final long OPS_OFF = VALUES_OFF + MAX_FIELDS * 4;
    private static final long BUFLEN_OFF = OPS_OFF + MAX_FIELDS * 4;
    /** The size of the struct without its string buffer: 1,040 bytes. */
    public static final int FIXED_BYTES = (int) BUFLEN_OFF + 4;

    private final int list;
    private final int action;
    private final int[] mask;
    private final int[] types;
    private final int[] ops;
    private final int[] values;
    /** Per field: the string value of a string field, else null. */
    private final byte[][] strings;

    private AuditRule(int list, int action, int[] mask, int[] types, int[] ops, int[] values, byte[][] strings) {
        this.list = list;
        this.action = action;
        this.mask = mask;
        this.types = types;
        this.ops = ops;
        this.values = values;
        this.strings = strings;
    }

    /** A rule on the exit list that makes the kernel record the listed x86-64 system calls when its fields match. */
    public static AuditRule syscallExit(int... syscalls) {
        int[] mask = new int[MASK_WORDS];
        for (int nr : syscalls) {
            if (nr < 0 || nr >= MASK_WORDS * 32) {
                throw new IllegalArgumentException("system call number out of the audit mask: " + nr);
            }
            mask[nr >>> 5] |= 1 << (nr & 31);
        }
        return new AuditRule(LIST_EXIT, ACTION_ALWAYS, mask, new int[0], new int[0], new int[0], new byte[0][]);
    }

    /** This rule with one more condition, {@code field op value}; conditions are and-ed in order. */
    public AuditRule where(int field, int op, int value) {
        return withField(field, op, value, null);
    }

    /** This rule with the filter key {@code key}, which the kernel puts in each record the rule causes. */
    public AuditRule withKey(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length == 0 || k.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("an audit key has 1 to " + MAX_KEY_BYTES + " bytes: " + key);
        }
        return withField(FIELD_FILTERKEY, OP_EQUAL, k.length, k);
    }

    private AuditRule withField(int field, int op, int value, byte[] string) {
        if (types.length == MAX_FIELDS) {
            throw new IllegalArgumentException("an audit rule has at most " + MAX_FIELDS + " fields");
        }
        int n = types.length;
        int[] t = Arrays.copyOf(types, n + 1);
        int[] o = Arrays.copyOf(ops, n + 1);
        int[] v = Arrays.copyOf(values, n + 1);
        byte[][] s = Arrays.copyOf(strings, n + 1);
        t[n] = field;
        o[n] = op;
        v[n] = value;
        s[n] = string;
        return new AuditRule(list, action, mask, t, o, v, s);
    }

    /**
     * Whether the rule keeps the kernel from making records: {@code never} on the user, task, exit
     * or io_uring list, or any rule on the exclude list.
     */
    public boolean suppresses() {
        int l = list & LIST_BITS;
        return l == LIST_EXCLUDE
                || (l == LIST_USER || l == LIST_TASK || l == LIST_EXIT || l == LIST_URING_EXIT) && action == ACTION_NEVER;
    }

    /** The filter key, or null if the rule has none. */
    public String key() {
        for (int i = 0; i < types.length; i++) {
            if (types[i] == FIELD_FILTERKEY && strings[i] != null) {
                return new String(strings[i], StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /**
     * The paths of the rule's {@code exe} fields ({@code AUDIT_EXE}), as the bytes the kernel has:
     * it resolves each one's parent directory, from the requester's root, to add or delete the rule.
     */
    public List<byte[]> exePaths() {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            if (types[i] == FIELD_EXE && strings[i] != null) {
                out.add(strings[i].clone());
            }
        }
        return out;
    }

    /** Whether the rule names system call {@code nr}. */
    public boolean coversSyscall(int nr) {
        return nr >= 0 && nr < MASK_WORDS * 32 && (mask[nr >>> 5] & (1 << (nr & 31))) != 0;
    }

    /** The bytes of the struct, string buffer included. */
    public int byteSize() {
        return FIXED_BYTES + stringBytes();
    }

    private int stringBytes() {
        int n = 0;
        for (byte[] s : strings) {
            n += s == null ? 0 : s.length;
        }
        return n;
    }

    /** Writes the struct at {@code off}; the caller has made room for {@link #byteSize()} bytes. */
    void write(MemorySegment seg, long off) {
        seg.asSlice(off, FIXED_BYTES).fill((byte) 0);
        seg.set(JAVA_INT, off, list);
        seg.set(JAVA_INT, off + 4, action);
        seg.set(JAVA_INT, off + 8, types.length);
        for (int w = 0; w < MASK_WORDS; w++) {
            seg.set(JAVA_INT, off + MASK_OFF + w * 4L, mask[w]);
        }
        long str = off + FIXED_BYTES;
        for (int i = 0; i < types.length; i++) {
            seg.set(JAVA_INT, off + TYPES_OFF + i * 4L, types[i]);
            seg.set(JAVA_INT, off + VALUES_OFF + i * 4L, values[i]);
            seg.set(JAVA_INT, off + OPS_OFF + i * 4L, ops[i]);
            if (strings[i] != null) {
                MemorySegment.copy(strings[i], 0, seg, JAVA_BYTE, str, strings[i].length);
                str += strings[i].length;
            }
        }
        seg.set(JAVA_INT, off + BUFLEN_OFF, stringBytes());
    }

    /**
     * Reads a rule as {@code AUDIT_LIST_RULES} reports it, from the {@code len} payload bytes at
     * {@code off}.
     *
     * @throws IllegalArgumentException if the bytes do not hold a whole rule
     */
    static AuditRule read(MemorySegment seg, long off, int len) {
        if (len < FIXED_BYTES) {
            throw new IllegalArgumentException("audit rule of " + len + " bytes, the struct has " + FIXED_BYTES);
        }
        int count = seg.get(JAVA_INT, off + 8);
        int bufLen = seg.get(JAVA_INT, off + BUFLEN_OFF);
        if (count < 0 || count > MAX_FIELDS || bufLen < 0 || FIXED_BYTES + (long) bufLen > len) {
            throw new IllegalArgumentException("audit rule with " + count + " fields and " + bufLen
                    + " string bytes in " + len + " bytes");
        }
        int[] mask = new int[MASK_WORDS];
        for (int w = 0; w < MASK_WORDS; w++) {
            mask[w] = seg.get(JAVA_INT, off + MASK_OFF + w * 4L);
        }
        int[] t = new int[count];
        int[] o = new int[count];
        int[] v = new int[count];
        byte[][] s = new byte[count][];
        long str = off + FIXED_BYTES;
        long strEnd = str + bufLen;
        for (int i = 0; i < count; i++) {
            t[i] = seg.get(JAVA_INT, off + TYPES_OFF + i * 4L);
            v[i] = seg.get(JAVA_INT, off + VALUES_OFF + i * 4L);
            o[i] = seg.get(JAVA_INT, off + OPS_OFF + i * 4L);
            if (isStringField(t[i])) {
                if (v[i] < 0 || str + v[i] > strEnd) {
                    throw new IllegalArgumentException("audit rule string field " + t[i] + " of " + v[i]
                            + " bytes overruns the " + bufLen + "-byte buffer");
                }
                s[i] = seg.asSlice(str, v[i]).toArray(JAVA_BYTE);
                str += v[i];
            }
        }
        return new AuditRule(seg.get(JAVA_INT, off), seg.get(JAVA_INT, off + 4), mask, t, o, v, s);
    }

    /** The field types whose value is a string in the buffer (the kernel's {@code audit_krule_to_data}). */
    private static boolean isStringField(int type) {
        return switch (type) {
            case 13, 14, 15, 16, 17, // AUDIT_SUBJ_USER .. AUDIT_SUBJ_CLR
                 19, 20, 21, 22, 23, // AUDIT_OBJ_USER .. AUDIT_OBJ_LEV_HIGH
                 105, 107, 112, // AUDIT_WATCH, AUDIT_DIR, AUDIT_EXE
                 FIELD_FILTERKEY -> true;
            default -> false;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditRule r && list == r.list && action == r.action && Arrays.equals(mask, r.mask)
                && Arrays.equals(types, r.types) && Arrays.equals(ops, r.ops) && Arrays.equals(values, r.values)
                && Arrays.deepEquals(strings, r.strings);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * list + Arrays.hashCode(mask)) + Arrays.hashCode(types);
    }

    /**
     * {@code exit,always syscalls=[42] 11==0xc000003e 103!=0xffffff8e key=cellos:7}, for messages: every
     * field with its operator ({@code field 112!=/usr/bin/x} for a string field), so that two rules
     * that differ read differently.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(list == LIST_EXIT ? "exit" : "list " + list)
                .append(action == ACTION_ALWAYS ? ",always" : ",action " + action);
        StringBuilder calls = new StringBuilder();
        for (int nr = 0; nr < MASK_WORDS * 32; nr++) {
            if (coversSyscall(nr)) {
                calls.append(calls.isEmpty() ? "" : ",").append(nr);
            }
        }
        if (!calls.isEmpty()) {
            b.append(" syscalls=[").append(calls).append(']');
        }
        for (int i = 0; i < types.length; i++) {
            b.append(' ');
            if (types[i] == FIELD_FILTERKEY && strings[i] != null) {
                b.append("key=").append(new String(strings[i], StandardCharsets.UTF_8));
                continue;
            }
            b.append(strings[i] != null ? "field " + types[i] : Integer.toString(types[i]))
                    .append(ops[i] == OP_EQUAL ? "==" : ops[i] == OP_NOT_EQUAL ? "!=" : " op " + ops[i] + " ")
                    .append(strings[i] != null ? new String(strings[i], StandardCharsets.UTF_8)
                            : "0x" + Integer.toHexString(values[i]));
        }
        return b.toString();
    }
}
