package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Installs a seccomp filter on the calling thread (x86-64) with the {@code seccomp(2)} system call.
 *
 * <p>The filter binds the calling thread alone (no {@code SECCOMP_FILTER_FLAG_TSYNC}) and, from
 * then on, every process that thread creates, from the child's first instruction; a filter cannot
 * be removed. Setting {@code no_new_privs} first is what lets a process install one without
 * {@code CAP_SYS_ADMIN}, and keeps an exec of a set-uid program from escaping it.
 */
public final class Seccomp {
    /** {@code seccomp_data} offsets. */
    public static final int DATA_NR = 0;
    public static final int DATA_ARCH = 4;

    /** The offset of the low 32 bits of argument {@code i} (x86-64 is little-endian). */
    public static int argLow(int i) {
        return 16 + 8 * i;
    }

    public static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    /** Set in the number of a call made through the x32 ABI. */
    public static final int X32_SYSCALL_BIT = 0x40000000;
    /** The action part of a filter's return value. */
    public static final int RET_ACTION_FULL = 0xffff0000;
    public static final int RET_KILL_PROCESS = 0x80000000;
    public static final int RET_KILL_THREAD = 0;
    public static final int RET_TRAP = 0x00030000;
    public static final int RET_ERRNO = 0x00050000;
    public static final int RET_ALLOW = 0x7fff0000;
    /** Logs every action but {@code ALLOW} to the audit subsystem (an {@code AUDIT_SECCOMP} record). */
    public static final int FILTER_FLAG_LOG = 2;

    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final Syscall SECCOMP = new Syscall("seccomp");

    private Seccomp() {
    }

    /**
     * Sets {@code no_new_privs} and installs {@code program} on the calling thread.
     *
     * @param flags {@code SECCOMP_FILTER_FLAG_*}, e.g. {@link #FILTER_FLAG_LOG}
     * @throws ErrnoException if the kernel refuses either step
     */
    public static void installOnThisThread(BpfProgram program, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fprog = BpfProgram.fprog(arena, program.encode(arena));
            Libc.PRCTL.call("PR_SET_NO_NEW_PRIVS", PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
            SECCOMP.call("SECCOMP_SET_MODE_FILTER", SECCOMP_SET_MODE_FILTER, flags, fprog);
        }
    }
}
