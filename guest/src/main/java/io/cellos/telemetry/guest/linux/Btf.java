package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running kernel's own description of its types, BTF ({@code <linux/btf.h>}), as
 * {@code /sys/kernel/btf/vmlinux} gives it: where a member lies in a kernel structure, so that an
 * eBPF program can read {@code task->exit_code} or {@code mm->arg_start} at the offset this build
 * of the kernel uses rather than one assumed (the layout of {@code task_struct} changes with every
 * version and configuration); and the type id of a kernel function, which an eBPF {@code call} of a
 * kfunc names ({@link EbpfProgram#callKernelFunction}): the kernel build's own, looked up on each
 * machine, never compiled in.
 *
 * <p>Only what the lookups need is kept: the raw type section and, per type id, where its entry
 * starts. Layout, little-endian: a header ({@code magic 0xeb9f}, {@code hdr_len}, then the type and
 * string sections' offsets and lengths, relative to the header's end); each type a
 * {@code struct btf_type} ({@code name_off}, {@code info}: {@code vlen} in bits 0–15, {@code kind} in
 * bits 24–28, {@code kind_flag} in bit 31; {@code size} or {@code type}) followed by data whose size
 * its kind and {@code vlen} fix. Type ids count from 1 (0 is {@code void}).
 *
 * <p>Immutable once read but for a cache of the structures looked up; thread-safe.
 */
public final class Btf {
    /** Where the kernel publishes its BTF. */
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private static final int MAGIC = 0xeb9f;
    private static final int TYPE_BYTES = 12;
    // kinds, BTF_KIND_*
    private static final int INT = 1;
    private static final int PTR = 2;
    private static final int ARRAY = 3;
    private static final int STRUCT = 4;
    private static final int UNION = 5;
    private static final int ENUM = 6;
    private static final int TYPEDEF = 8;
    private static final int VOLATILE = 9;
    private static final int CONST = 10;
    private static final int RESTRICT = 11;
    private static final int FWD = 7;
    private static final int FUNC = 12;
    private static final int FUNC_PROTO = 13;
    private static final int VAR = 14;
    private static final int DATASEC = 15;
    private static final int FLOAT = 16;
    private static final int DECL_TAG = 17;
    private static final int TYPE_TAG = 18;
    private static final int ENUM64 = 19;
    private static final int ENUM_BYTES = 8;
    private static final int MEMBER_BYTES = 12;

    /** A member found: its byte offset from the start of the outermost structure, and its size in bytes. */
    public record Member(int offset, int size) {
    }

    private final ByteBuffer types;
    private final ByteBuffer strings;
    /** {@code starts[id]}: where type {@code id}'s entry begins in {@link #types}. */
    private final int[] starts;
    private final int count;
    /** The structures looked up so far, by name: each lookup otherwise walks every type. */
    private final Map<String, Integer> structs = new ConcurrentHashMap<>();

    private Btf(ByteBuffer types, ByteBuffer strings) {
        this.types = types;
        this.strings = strings;
        int[] at = new int[1 << 16];
        int n = 1;
        int pos = 0;
        while (pos < types.limit()) {
            if (n == at.length) {
                at = Arrays.copyOf(at, n * 2);
            }
            at[n++] = pos;
            pos += TYPE_BYTES + dataBytes(pos);
        }
        if (pos != types.limit()) {
            throw new IllegalArgumentException("BTF: the last type runs past the type section's end");
        }
        this.starts = at;
        this.count = n;
    }

    /** Reads the running kernel's BTF. */
    public static Btf vmlinux() throws IOException {
        if (!Files.isReadable(VMLINUX)) {
            throw new IOException(VMLINUX + " is not there: the kernel was built without CONFIG_DEBUG_INFO_BTF,"
                    + " and an eBPF program cannot learn where a kernel structure's members lie");
        }
        long size = Files.size(VMLINUX);
        try (Arena arena = Arena.ofConfined();
             Fd fd = new Fd((int) Libc.OPEN.call(VMLINUX.toString(), arena.allocateFrom(VMLINUX.toString()),
                     OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC, 0), VMLINUX.toString())) {
            // mapped, not read onto the heap: the agent's heap is small, and what it grows to it keeps
            MemorySegment mapped = Libc.mmap(size, Libc.PROT_READ, Libc.MAP_PRIVATE, fd.get(), 0, "mmap(" + VMLINUX + ")")
                    .reinterpret(size, Arena.ofAuto(), Libc::munmap); // unmapped once the BTF is dropped
            return parse(mapped.asByteBuffer());
        } catch (ErrnoException e) {
            return parse(Files.readAllBytes(VMLINUX)); // a kernel that does not map it (before 6.x)
        }
    }

    /**
     * Parses raw BTF.
     *
     * @throws IllegalArgumentException if it is not BTF, or a section lies outside it
     */
    public static Btf parse(byte[] raw) {
        return parse(ByteBuffer.wrap(raw));
    }

    private static Btf parse(ByteBuffer raw) {
        ByteBuffer b = raw.order(ByteOrder.LITTLE_ENDIAN);
        if (b.capacity() < 24 || (b.getShort(0) & 0xffff) != MAGIC) {
            throw new IllegalArgumentException("not little-endian BTF: no magic 0xeb9f");
        }
        int header = b.getInt(4);
        ByteBuffer types = section(b, header, b.getInt(8), b.getInt(12), "type");
        ByteBuffer strings = section(b, header, b.getInt(16), b.getInt(20), "string");
        return new Btf(types, strings);
    }

    private static ByteBuffer section(ByteBuffer b, int header, int off, int len, String what) {
        long from = (long) header + off;
        if (off < 0 || len < 0 || from + len > b.capacity()) {
            throw new IllegalArgumentException("BTF: the " + what + " section lies outside the data");
        }
        return b.slice((int) from, len).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The member {@code path} of {@code struct name}: {@code "exit_code"}, or a path through
     * members, {@code "signal.group_exit_code"} (only within the structure, not through pointers).
     * A member of an anonymous structure or union inside is found as the C compiler finds it.
     *
     * @throws IllegalStateException naming the structure and member when this kernel has no such
     *                               member, or it is a bit field
     */
    public Member member(String struct, String path) {
        Member m = memberOrNull(struct, path);
        if (m == null) {
            throw new IllegalStateException("this kernel's struct " + struct + " has no member " + path);
        }
        return m;
    }

    /**
     * The member {@code path} of {@code struct name} as {@link #member} finds it, or null when this
     * kernel's structure has no such member: for members that moved between kernel versions.
     *
     * @throws IllegalStateException if this kernel has no such structure, or the member is a bit field
     */
    public Member memberOrNull(String struct, String path) {
        int id = struct(struct);
        int offset = 0;
        int size = 0;
        for (String name : path.split("\\.")) {
            long found = find(id, name);
            if (found < 0) {
                return null;
            }
            offset += (int) (found >>> 32);
            id = (int) found;
            size = sizeOf(id);
            id = resolved(id);
        }
        return new Member(offset, size);
    }

    /**
     * The type id of the kernel function {@code name} ({@code BTF_KIND_FUNC}): what
     * {@link EbpfProgram#callKernelFunction} takes for a kfunc.
     *
     * @throws IllegalStateException naming the function when this kernel has none of that name
     */
    public int functionId(String name) {
        int id = first(FUNC, name, false);
        if (id < 0) {
            throw new IllegalStateException("this kernel's BTF has no function " + name);
        }
        return id;
    }

    /** The id of the first {@code struct name} with members, or fails; each name is searched for once. */
    private int struct(String name) {
        Integer known = structs.get(name);
        if (known != null) {
            return known;
        }
        int id = first(STRUCT, name, true);
        if (id < 0) {
            throw new IllegalStateException("this kernel's BTF has no struct " + name);
        }
        structs.put(name, id);
        return id;
    }

    /** The id of the first type of {@code kind} named {@code name} (with members, if {@code withMembers}), or -1. */
    private int first(int kind, String name, boolean withMembers) {
        byte[] want = name.getBytes(StandardCharsets.US_ASCII);
        for (int id = 1; id < count; id++) {
            int at = starts[id];
            if (kind(at) == kind && (!withMembers || vlen(at) > 0) && nameIs(types.getInt(at), want)) {
                return id;
            }
        }
        return -1;
    }

    /**
     * Looks for member {@code name} of the structure or union {@code id}, descending into anonymous
     * members: the member's byte offset in the upper half, its type id in the lower, or -1.
     */
    private long find(int id, String name) {
        int at = starts[id];
        int kind = kind(at);
        if (kind != STRUCT && kind != UNION) {
            return -1;
        }
        boolean bitfields = types.getInt(at + 4) < 0;
        byte[] want = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0, m = at + TYPE_BYTES; i < vlen(at); i++, m += MEMBER_BYTES) {
            int nameOff = types.getInt(m);
            int type = types.getInt(m + 4);
            int bits = types.getInt(m + 8);
            int bitOffset = bitfields ? bits & 0xffffff : bits;
            if (bitfields && bits >>> 24 != 0 && nameIs(nameOff, want)) {
                throw new IllegalStateException("member " + name + " is a bit field: no byte offset to read it at");
            }
            if (nameIs(nameOff, want)) {
                return (long) (bitOffset / 8) << 32 | type;
            }
            if (nameOff == 0) {
                long inner = find(resolved(type), name);
                if (inner >= 0) {
                    return inner + ((long) (bitOffset / 8) << 32);
                }
            }
        }
        return -1;
    }

    /** The type {@code id} is, past typedefs and qualifiers. */
    private int resolved(int id) {
        while (id != 0) {
            int kind = kind(starts[id]);
            if (kind != TYPEDEF && kind != VOLATILE && kind != CONST && kind != RESTRICT && kind != TYPE_TAG) {
                return id;
            }
            id = types.getInt(starts[id] + 8);
        }
        return 0;
    }

    /** The size in bytes of a value of type {@code id}. */
    private int sizeOf(int id) {
        int r = resolved(id);
        if (r == 0) {
            return 0;
        }
        int at = starts[r];
        return switch (kind(at)) {
            case PTR -> Long.BYTES;
            case ARRAY -> types.getInt(at + TYPE_BYTES + 8) * sizeOf(types.getInt(at + TYPE_BYTES));
            case INT, STRUCT, UNION, ENUM, ENUM64 -> types.getInt(at + 8);
            default -> 0;
        };
    }

    private int kind(int at) {
        return types.getInt(at + 4) >>> 24 & 0x1f;
    }

    private int vlen(int at) {
        return types.getInt(at + 4) & 0xffff;
    }

    /**
     * The bytes of kind-specific data that follow the type entry at {@code at}; an unknown kind
     * fails rather than miscount every id after it.
     */
    private int dataBytes(int at) {
        int vlen = vlen(at);
        return switch (kind(at)) {
            case INT, VAR, DECL_TAG -> 4;
            case ARRAY -> 12;
            case STRUCT, UNION, DATASEC, ENUM64 -> vlen * MEMBER_BYTES;
            case ENUM, FUNC_PROTO -> vlen * ENUM_BYTES;
            case PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG -> 0;
            default -> throw new IllegalArgumentException("BTF: the type at byte " + at + " of the type section is of kind "
                    + kind(at) + ", unknown to this reader");
        };
    }

    private boolean nameIs(int off, byte[] want) {
        if (off < 0 || off + want.length >= strings.limit()) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (strings.get(off + i) != want[i]) {
                return false;
            }
        }
        return strings.get(off + want.length) == 0;
    }
}
