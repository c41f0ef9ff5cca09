package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Socket address structures ({@code <sys/un.h>}, {@code <linux/vm_sockets.h>}, {@code <linux/netlink.h>}). */
public final class SockAddr {
    public static final int AF_UNIX = 1;
    public static final int AF_NETLINK = 16;
    public static final int AF_VSOCK = 40;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    /** {@code getsockopt}/{@code setsockopt} at the socket level, and its options used here. */
    public static final int SOL_SOCKET = 1;
    public static final int SO_ERROR = 4;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVBUFFORCE = 33;
    /** {@code VMADDR_CID_ANY}: bind to whatever CID this machine has. */
    public static final int VMADDR_CID_ANY = -1;
    /** {@code VMADDR_PORT_ANY}: let the kernel pick a port. */
    public static final int VMADDR_PORT_ANY = -1;

    /** {@code struct sockaddr_un}: family, then a 108-byte path. */
    public static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"), MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("sun_path"));
    /** {@code struct sockaddr_vm}: 16 bytes. */
    public static final StructLayout SOCKADDR_VM = MemoryLayout.structLayout(
            JAVA_SHORT.withName("svm_family"), JAVA_SHORT.withName("svm_reserved1"), JAVA_INT.withName("svm_port"),
            JAVA_INT.withName("svm_cid"), MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("svm_zero"));
    /** {@code struct sockaddr_nl}: 12 bytes. */
    public static final StructLayout SOCKADDR_NL = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nl_family"), JAVA_SHORT.withName("nl_pad"), JAVA_INT.withName("nl_pid"),
            JAVA_INT.withName("nl_groups"));

    private SockAddr() {
    }

    /**
     * A {@code sockaddr_un} for {@code path}.
     *
     * @throws IllegalArgumentException if the path does not fit the 107 bytes a UNIX socket path may have
     */
    public static MemorySegment unix(Arena arena, String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length > 107) {
            throw new IllegalArgumentException("UNIX socket path too long (" + p.length + " bytes, at most 107): " + path);
        }
        MemorySegment a = arena.allocate(SOCKADDR_UN);
        a.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, a, JAVA_BYTE, 2, p.length);
        return a;
    }

    /** A {@code sockaddr_vm} for {@code cid}:{@code port}. */
    public static MemorySegment vsock(Arena arena, int cid, int port) {
        MemorySegment a = arena.allocate(SOCKADDR_VM);
        a.set(JAVA_SHORT, 0, (short) AF_VSOCK);
        a.set(JAVA_INT, 4, port);
        a.set(JAVA_INT, 8, cid);
        return a;
    }

    /** A {@code sockaddr_nl} with port id {@code pid} (0: the kernel assigns one) and multicast {@code groups}. */
    public static MemorySegment netlink(Arena arena, int pid, int groups) {
        MemorySegment a = arena.allocate(SOCKADDR_NL);
        a.set(JAVA_SHORT, 0, (short) AF_NETLINK);
        a.set(JAVA_INT, 4, pid);
        a.set(JAVA_INT, 8, groups);
        return a;
    }
}
