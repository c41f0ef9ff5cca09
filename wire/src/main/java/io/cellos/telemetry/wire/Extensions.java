package io.cellos.telemetry.wire;

/**
 * The optional version 1.1 keys of a frame (protocol.md §4). A {@code null} component is absent.
 * Unsigned 64-bit values are held in a {@code long} read as unsigned.
 *
 * @param droppedTotal events the agent discarded since it started ({@code u64})
 * @param parentPid    the parent's pid ({@code u32})
 * @param exitCode     the raw wait status ({@code u32})
 * @param path         a file path
 * @param peer         a destination as {@code ip:port} or {@code [ip]:port}
 * @param capability   a Linux capability number ({@code u8})
 * @param syscall      an x86-64 syscall number ({@code u16})
 * @param session      the agent's session value, on the first frame of each connection
 * @param what         what changed in the agent's means of observation, in words
 */
public record Extensions(Long droppedTotal, Long parentPid, Long exitCode, String path, String peer,
                         Integer capability, Integer syscall, String session, String what) {
    /** No extension keys. */
    public static final Extensions NONE = new Extensions(null, null, null, null, null, null, null, null, null);

    public Extensions {
        checkRange(Field.PARENT_PID, parentPid);
        checkRange(Field.EXIT_CODE, exitCode);
        checkRange(Field.CAPABILITY, capability == null ? null : capability.longValue());
        checkRange(Field.SYSCALL, syscall == null ? null : syscall.longValue());
    }

    private static void checkRange(Field f, Long v) {
        if (v != null && Long.compareUnsigned(v, f.max()) > 0) {
            throw new IllegalArgumentException(f.wireName() + " out of range: " + Long.toUnsignedString(v));
        }
    }

    /** Whether no key is present. */
    public boolean isEmpty() {
        return droppedTotal == null && parentPid == null && exitCode == null && path == null && peer == null
                && capability == null && syscall == null && session == null && what == null;
    }

    public Extensions withDroppedTotal(long v) {
        return new Extensions(v, parentPid, exitCode, path, peer, capability, syscall, session, what);
    }

    public Extensions withParentPid(long v) {
        return new Extensions(droppedTotal, v, exitCode, path, peer, capability, syscall, session, what);
    }

    public Extensions withExitCode(long v) {
        return new Extensions(droppedTotal, parentPid, v, path, peer, capability, syscall, session, what);
    }

    public Extensions withPath(String v) {
        return new Extensions(droppedTotal, parentPid, exitCode, v, peer, capability, syscall, session, what);
    }

    public Extensions withPeer(String v) {
        return new Extensions(droppedTotal, parentPid, exitCode, path, v, capability, syscall, session, what);
    }

    public Extensions withCapability(int v) {
        return new Extensions(droppedTotal, parentPid, exitCode, path, peer, v, syscall, session, what);
    }

    public Extensions withSyscall(int v) {
        return new Extensions(droppedTotal, parentPid, exitCode, path, peer, capability, v, session, what);
    }

    public Extensions withSession(String v) {
        return new Extensions(droppedTotal, parentPid, exitCode, path, peer, capability, syscall, v, what);
    }

    public Extensions withWhat(String v) {
        return new Extensions(droppedTotal, parentPid, exitCode, path, peer, capability, syscall, session, v);
    }
}
