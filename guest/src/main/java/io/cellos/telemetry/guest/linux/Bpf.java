package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code bpf(2)} system call ({@code <linux/bpf.h>}): maps, program loads and the kernel's list
 * of loaded programs. Each command fills its part of {@code union bpf_attr}, passed zeroed at
 * {@value #ATTR_BYTES} bytes (the kernel accepts a shorter union than its own and requires a longer
 * one's extra bytes to be zero).
 *
 * <p>Stateless; every descriptor returned is the caller's to close.
 */
public final class Bpf {
    /** {@code enum bpf_map_type}. */
    public static final int MAP_TYPE_ARRAY = 2;
    public static final int MAP_TYPE_RINGBUF = 27;
    /** {@code BPF_F_MMAPABLE}: an array map whose values user space maps and reads without a system call. */
    public static final int MAP_F_MMAPABLE = 1 << 10;
    /** {@code enum bpf_prog_type}. */
    public static final int PROG_TYPE_TRACEPOINT = 5;

    public static final int MAP_TYPE_LRU_HASH = 9;
    /** {@code BPF_NOEXIST}: {@code bpf_map_update_elem} adds the key only if it is not there ({@code -EEXIST} if it is). */
    public static final int MAP_UPDATE_NOEXIST = 1;
    public static final int PROG_TYPE_CGROUP_SOCK = 9;
    public static final int PROG_TYPE_CGROUP_SOCK_ADDR = 18;
    /** {@code enum bpf_attach_type}: the cgroup socket hooks. */
    public static final int ATTACH_CGROUP_INET_SOCK_CREATE = 2;
    public static final int ATTACH_CGROUP_INET4_CONNECT = 10;
    public static final int ATTACH_CGROUP_INET6_CONNECT = 11;
    public static final int ATTACH_CGROUP_UDP4_SENDMSG = 14;
    public static final int ATTACH_CGROUP_UDP6_SENDMSG = 15;
    public static final int ATTACH_CGROUP_UNIX_CONNECT = 49;
    public static final int ATTACH_CGROUP_UNIX_SENDMSG = 50;

    /** {@code enum bpf_cmd}. */
    private static final int BPF_MAP_CREATE = 0;
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_GET_NEXT_ID = 11;
    private static final int BPF_LINK_CREATE = 28;
    private static final int BPF_LINK_GET_NEXT_ID = 31;
    /** {@code BPF_OBJ_NAME_LEN}, with the terminating NUL. */
    private static final int OBJ_NAME_BYTES = 16;
    private static final int ATTR_BYTES = 128;
    /** {@code log_level} 1: the verifier's reason and the path that led to it. */
    private static final int LOG_LEVEL = 1;
    /** Enough for the verifier's walk of a program of a few dozen instructions. */
    private static final int LOG_BYTES = 64 * 1024;
    private static final Syscall BPF = new Syscall("bpf");

    private Bpf() {
    }

    /**
     * {@code BPF_MAP_CREATE}: a map of {@code type} named {@code name} (at most 15 bytes, for
     * {@code bpftool}), with {@code flags} ({@code map_flags}, e.g. {@link #MAP_F_MMAPABLE}).
     *
     * @throws ErrnoException naming the map type and name, with the errno
     */
    public static Fd createMap(int type, int keySize, int valueSize, int maxEntries, int flags, String name)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, keySize);
            attr.set(JAVA_INT, 8, valueSize);
            attr.set(JAVA_INT, 12, maxEntries);
            attr.set(JAVA_INT, 16, flags);
            objectName(attr, 28, name);
            int fd = (int) BPF.call("BPF_MAP_CREATE, " + name, BPF_MAP_CREATE, attr, ATTR_BYTES);
            return new Fd(fd, "bpf map " + name);
        }
    }

    /**
     * {@code BPF_PROG_LOAD}: verifies and loads {@code program} as a program of {@code type}, GPL
     * (the tracing helpers require it).
     *
     * @throws BpfLoadException with the errno and the verifier's log when the kernel refuses it
     */
    public static Fd loadProgram(int type, EbpfProgram program, String name) throws BpfLoadException {
        return loadProgram(type, 0, program, name);
    }

    /**
     * {@code BPF_PROG_LOAD} of a program whose type needs to know, when it is verified, where it
     * will be attached ({@code expected_attach_type}, e.g. {@link #ATTACH_CGROUP_INET4_CONNECT}): the
     * verifier lets a program read only the context fields of that hook.
     *
     * @throws BpfLoadException with the errno and the verifier's log when the kernel refuses it
     */
    public static Fd loadProgram(int type, int expectedAttachType, EbpfProgram program, String name)
            throws BpfLoadException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = program.encode(arena);
            MemorySegment log = arena.allocate(LOG_BYTES);
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, (int) (insns.byteSize() / EbpfProgram.SLOT_BYTES));
            attr.set(JAVA_LONG, 8, Native.address(insns));
            attr.set(JAVA_LONG, 16, Native.address(arena.allocateFrom("GPL")));
            attr.set(JAVA_INT, 24, LOG_LEVEL);
            attr.set(JAVA_INT, 28, LOG_BYTES);
            attr.set(JAVA_LONG, 32, Native.address(log));
            objectName(attr, 48, name);
            attr.set(JAVA_INT, 68, expectedAttachType);
            String call = "bpf(BPF_PROG_LOAD, " + name + ")";
            long fd = BPF.callOrErrno(BPF_PROG_LOAD, attr, ATTR_BYTES);
            if (fd < 0) {
                throw new BpfLoadException(call, (int) -fd, log.getString(0, StandardCharsets.UTF_8));
            }
            return new Fd((int) fd, "bpf program " + name);
        }
    }

    /**
     * {@code BPF_PROG_GET_NEXT_ID}: the id of the loaded program after {@code id} (0: the first),
     * machine-wide, or -1 when there is none.
     *
     * @throws ErrnoException on any failure but the end of the list
     */
    public static int nextProgramId(int id) throws ErrnoException {
        return nextId(BPF_PROG_GET_NEXT_ID, "BPF_PROG_GET_NEXT_ID", id);
    }

    /**
     * {@code BPF_LINK_CREATE}: attaches {@code program} to {@code target} (for a cgroup hook, a
     * descriptor of the cgroup's directory) at {@code attachType}. The link belongs to the returned
     * descriptor: closing it (or the death of the process that holds it) detaches the program.
     *
     * @throws ErrnoException naming the program, the attach type and the errno
     */
    public static Fd createLink(Fd program, Fd target, int attachType) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, program.get());
            attr.set(JAVA_INT, 4, target.get());
            attr.set(JAVA_INT, 8, attachType);
            String what = "BPF_LINK_CREATE, " + program.what() + ", attach type " + attachType;
            int fd = (int) BPF.call(what, BPF_LINK_CREATE, attr, ATTR_BYTES);
            return new Fd(fd, "bpf link of " + program.what());
        }
    }

    /**
     * {@code BPF_LINK_GET_NEXT_ID}: the id of the bpf link after {@code id} (0: the first),
     * machine-wide, or -1 when there is none.
     *
     * @throws ErrnoException on any failure but the end of the list
     */
    public static int nextLinkId(int id) throws ErrnoException {
        return nextId(BPF_LINK_GET_NEXT_ID, "BPF_LINK_GET_NEXT_ID", id);
    }

    private static int nextId(int cmd, String name, int id) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, id);
            long rc = BPF.callOrErrno(cmd, attr, ATTR_BYTES);
            if (rc == -Errno.ENOENT) {
                return -1;
            }
            if (rc < 0) {
                throw new ErrnoException("bpf(" + name + ", " + id + ")", (int) -rc);
            }
            return attr.get(JAVA_INT, 4);
        }
    }

    private static void objectName(MemorySegment attr, long at, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        if (b.length >= OBJ_NAME_BYTES) {
            throw new IllegalArgumentException("a bpf object's name has at most " + (OBJ_NAME_BYTES - 1) + " bytes: " + name);
        }
        MemorySegment.copy(b, 0, attr, JAVA_BYTE, at, b.length);
    }
}
