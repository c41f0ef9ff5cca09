package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one place where libc symbols are looked up and bound.
 *
 * <p>Every system call goes through one downcall handle, libc's {@code long syscall(long number,
 * ...)} with six {@code long} arguments and errno captured: the FFM API generates code and method
 * handles for each distinct function shape it links, and one shape instead of two dozen keeps the
 * agent's class count and resident memory down (BENCHMARKS.md, "Agent cost"). The numbers are
 * those of Linux on x86-64, the only architecture the guest supports (the seccomp gate refuses
 * every other ABI as well); loading this class anywhere else fails with a message that says so.
 * Functions that are not system calls (the {@code posix_spawn} family, {@code strerror}) are bound
 * one by one with {@link #plain}.
 */
final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO = errnoOffset();
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));
    private static final MethodHandle SYSCALL;

    static {
        String arch = System.getProperty("os.arch");
        if (!"amd64".equals(arch) && !"x86_64".equals(arch)) {
            throw new UnsupportedOperationException("cellos-telemetry calls Linux x86-64 system calls by number; "
                    + "this machine is " + arch + " (run it on an x86-64 guest)");
        }
        SYSCALL = LINKER.downcallHandle(symbol("syscall"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    }

    private Native() {
    }

    /**
     * System call {@code number} with six arguments (the kernel ignores those it does not take).
     *
     * @return the result, or {@code -errno} when it fails
     */
    static long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment state = STATE.get();
        long rc;
        try {
            rc = (long) SYSCALL.invokeExact(state, number, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw new IllegalStateException("system call " + number + " through the FFM API", t);
        }
        return rc == -1 ? -state.get(JAVA_INT, ERRNO) : rc;
    }

    /**
     * errno's offset in the call state, summed over its members: a layout path ({@code byteOffset},
     * {@code varHandle}) would initialise the FFM's path machinery, which spins method-handle
     * classes at start that the AOT cache does not keep (BENCHMARKS.md, "The agent's start-up").
     */
    private static long errnoOffset() {
        long offset = 0;
        for (MemoryLayout m : CALL_STATE.memberLayouts()) {
            if (m.name().filter("errno"::equals).isPresent()) {
                return offset;
            }
            offset += m.byteSize();
        }
        throw new IllegalStateException("this JDK's call state has no errno: " + CALL_STATE);
    }

    /**
     * The address of {@code segment} as a system call argument.
     *
     * @throws IllegalArgumentException if it is a heap segment, which has no address the kernel can use
     */
    static long address(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("a heap segment cannot be passed to the kernel: " + segment);
        }
        return segment.address();
    }

    /** A handle for the libc function {@code name}, which is not a system call, without errno capture. */
    static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }
}
