package io.cellos.telemetry.wire;

/**
 * The optional version 1.1 keys of a frame (protocol.md §4). A {@code null} component is absent.
 * Unsigned 64-bit values are held in a {@code long} read as unsigned.
 *
 * <p>Values are checked on construction for what the wire cannot carry or a decoder would refuse:
 * integers within their key's range, a {@code sha256} of exactly 64 lowercase hex digits. A
 * {@code cmdline} may be longer than {@link Wire#MAX_CMDLINE_BYTES} here; the encoder cuts it as
 * §4 says (ending in {@link CommandLine#CUT_MARK}), and the decoder never produces a longer one.
 * An {@code exe} longer than {@link Wire#MAX_EXE_BYTES} cannot fit a body: the encoder refuses
 * the event as too large.
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
 * @param cmdline      the command line of an exec, its arguments quoted as {@link CommandLine} does
 * @param sha256       the SHA-256 of the executed file's content (of the executable the process
 *                     runs, on the sources of {@code exe}), 64 lowercase hex digits
 * @param host         the DNS name the guest last resolved to the peer's address
 * @param exe          the path of the executable the process runs, as the agent learnt it
 * @param socket       what kind of raw or packet socket was opened: family, type and protocol
 * @param protocol     the transport of a connect: {@code tcp}, {@code udp}, {@code unix}, or the
 *                     IP protocol's number
 */
public record Extensions(Long droppedTotal, Long parentPid, Long exitCode, String path, String peer,
                         Integer capability, Integer syscall, String session, String what, String cmdline,
                         String sha256, String host, String exe, String socket,
                         String protocol) {
    /** No extension keys. */
    public static final Extensions NONE = new Extensions(null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null);

    public Extensions {
        checkRange(Field.PARENT_PID, parentPid);
        checkRange(Field.EXIT_CODE, exitCode);
        checkRange(Field.CAPABILITY, capability == null ? null : capability.longValue());
        checkRange(Field.SYSCALL, syscall == null ? null : syscall.longValue());
        if (sha256 != null && !Field.SHA256.isWellFormed(sha256)) {
            throw new IllegalArgumentException("sha256 is not 64 lowercase hex digits: '" + sha256 + "'");
        }
    }

    private static void checkRange(Field f, Long v) {
        if (v != null && Long.compareUnsigned(v, f.max()) > 0) {
            throw new IllegalArgumentException(f.wireName() + " out of range: " + Long.toUnsignedString(v));
        }
    }

    /**
     * Whether no key is present. Tested component by component rather than with the record's
     * {@code equals}, which is built of method handles that the guest's C1-compiled code calls
     * without inlining, once per event.
     */
    public boolean isEmpty() {
        return droppedTotal == null && parentPid == null && exitCode == null && path == null && peer == null
                && capability == null && syscall == null && session == null && what == null && cmdline == null
                && sha256 == null && host == null && exe == null && socket == null && protocol == null;
    }

    public Extensions withDroppedTotal(long v) {
        return with(Field.DROPPED_TOTAL, v);
    }

    public Extensions withParentPid(long v) {
        return with(Field.PARENT_PID, v);
    }

    public Extensions withExitCode(long v) {
        return with(Field.EXIT_CODE, v);
    }

    public Extensions withPath(String v) {
        return with(Field.PATH, v);
    }

    public Extensions withPeer(String v) {
        return with(Field.PEER, v);
    }

    public Extensions withCapability(int v) {
        return with(Field.CAPABILITY, v);
    }

    public Extensions withSyscall(int v) {
        return with(Field.SYSCALL, v);
    }

    public Extensions withSession(String v) {
        return with(Field.SESSION, v);
    }

    public Extensions withWhat(String v) {
        return with(Field.WHAT, v);
    }

    public Extensions withCmdline(String v) {
        return with(Field.CMDLINE, v);
    }

    /** @throws IllegalArgumentException if {@code v} is not 64 lowercase hex digits */
    public Extensions withSha256(String v) {
        return with(Field.SHA256, v);
    }

    public Extensions withHost(String v) {
        return with(Field.HOST, v);
    }

    public Extensions withExe(String v) {
        return with(Field.EXE, v);
    }

    public Extensions withSocket(String v) {
        return with(Field.SOCKET, v);
    }

    public Extensions withProtocol(String v) {
        return with(Field.PROTOCOL, v);
    }

    /**
     * The value of extension key {@code f}, as held (nothing is boxed anew): a {@link Number} for an
     * unsigned key ({@link Long}, or {@link Integer} for {@code capability} and {@code syscall}), a
     * {@link String} for a text key, {@code null} when absent.
     *
     * @throws IllegalArgumentException if {@code f} is a core key
     */
    public Object value(Field f) {
        return switch (f) {
            case DROPPED_TOTAL -> droppedTotal;
            case PARENT_PID -> parentPid;
            case EXIT_CODE -> exitCode;
            case PATH -> path;
            case PEER -> peer;
            case CAPABILITY -> capability;
            case SYSCALL -> syscall;
            case SESSION -> session;
            case WHAT -> what;
            case CMDLINE -> cmdline;
            case SHA256 -> sha256;
            case HOST -> host;
            case EXE -> exe;
            case SOCKET -> socket;
            case PROTOCOL -> protocol;
            default -> throw new IllegalArgumentException(f.wireName() + " is a core key, not an extension key");
        };
    }

    /**
     * A copy with the unsigned extension key {@code f} set to {@code v}.
     *
     * @throws IllegalArgumentException if {@code f} is not an unsigned extension key, or {@code v}
     *                                  is out of its range
     */
    public Extensions withUnsigned(Field f, long v) {
        if (f.core() || !f.isUnsigned()) {
            throw new IllegalArgumentException(f.wireName() + " is not an unsigned extension key");
        }
        if (f == Field.CAPABILITY || f == Field.SYSCALL) {
            checkRange(f, v);
            return with(f, (int) v);
        }
        return with(f, v);
    }

    /**
     * A copy with the text extension key {@code f} set to {@code v}.
     *
     * @throws IllegalArgumentException if {@code f} is not a text extension key, or {@code v} is not
     *                                  of the form it requires ({@link Field#isWellFormed})
     */
    public Extensions withText(Field f, String v) {
        if (f.core() || f.isUnsigned()) {
            throw new IllegalArgumentException(f.wireName() + " is not a text extension key");
        }
        return with(f, v);
    }

    /** A copy with the component of extension key {@code f} set to {@code v}, of that component's type. */
    private Extensions with(Field f, Object v) {
        return new Extensions(
                f == Field.DROPPED_TOTAL ? (Long) v : droppedTotal,
                f == Field.PARENT_PID ? (Long) v : parentPid,
                f == Field.EXIT_CODE ? (Long) v : exitCode,
                f == Field.PATH ? (String) v : path,
                f == Field.PEER ? (String) v : peer,
                f == Field.CAPABILITY ? (Integer) v : capability,
                f == Field.SYSCALL ? (Integer) v : syscall,
                f == Field.SESSION ? (String) v : session,
                f == Field.WHAT ? (String) v : what,
                f == Field.CMDLINE ? (String) v : cmdline,
                f == Field.SHA256 ? (String) v : sha256,
                f == Field.HOST ? (String) v : host,
                f == Field.EXE ? (String) v : exe,
                f == Field.SOCKET ? (String) v : socket,
                f == Field.PROTOCOL ? (String) v : protocol);
    }
}
