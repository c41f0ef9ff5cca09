package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one system-call handle ({@link Native#syscall}) and what is built on it, checked against the
 * kernel's own view ({@code /proc}) and against glibc's functions for the same job.
 */
class SyscallTest {

    @Test
    void resultsAndErrnoComeBackFromTheKernel() throws Exception {
        assertEquals(ProcessHandle.current().pid(), Libc.getpid());
        assertEquals(-Errno.EBADF, Libc.CLOSE.callOrErrno(-1));
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.CLOSE.call("fd -1", -1));
        assertTrue(e.getMessage().startsWith("close(fd -1)"), e.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment target = arena.allocate(4096);
            long n = Libc.READLINK.call("/proc/self/exe", arena.allocateFrom("/proc/self/exe"), target, 4096L);
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString(),
                    new String(target.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        }
    }

    @Test
    void refusesArgumentsTheKernelCannotBeGiven() {
        MemorySegment heap = MemorySegment.ofArray(new byte[16]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Libc.WRITE.callOrErrno(1, heap, 16L));
        assertTrue(e.getMessage().contains("heap segment"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Libc.CLOSE.callOrErrno("3"));
        assertThrows(IllegalArgumentException.class, () -> Libc.CLOSE.callOrErrno((Object) null));
        assertThrows(IllegalArgumentException.class, () -> Libc.PRCTL.callOrErrno(1, 2, 3, 4, 5, 6, 7));
    }

    @Test
    void signalSetsAreGlibcs() throws Throwable {
        MethodHandle sigfillset = Native.plain("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle sigaddset = Native.plain("sigaddset", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        MethodHandle sigemptyset = Native.plain("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment glibc = arena.allocate(128, 8);
            assertEquals(0, (int) sigfillset.invokeExact(glibc));
            assertEquals(glibc.get(JAVA_LONG, 0), Signals.fullSet(arena).get(JAVA_LONG, 0));

            assertEquals(0, (int) sigemptyset.invokeExact(glibc));
            for (int s : new int[] {2, 15, 17, 64}) {
                assertEquals(0, (int) sigaddset.invokeExact(glibc, s));
            }
            MemorySegment ours = Signals.set(arena, 2, 15, 17, 64);
            assertEquals(-1, MemorySegment.mismatch(glibc, 0, 128, ours, 0, 128), "all 128 bytes agree");
        }
        assertThrows(IllegalArgumentException.class, () -> Signals.set(Arena.global(), 65));
        assertThrows(IllegalArgumentException.class, () -> Signals.set(Arena.global(), 0));
    }

    @Test
    void ignoredAndBlockedSignalsShowInProc() throws Exception {
        int sigttou = 22;
        Signals.ignore(sigttou);
        assertTrue((procMask("/proc/self/status", "SigIgn:") & (1L << (sigttou - 1))) != 0, "SIGTTOU ignored");

        int sigwinch = 28;
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                boolean before = ThreadStatus.ofThisThread().blocks(sigwinch);
                Signals.blockInThisThread(sigwinch);
                String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
                long kernel = procMask("/proc/self/task/" + tid + "/status", "SigBlk:");
                seen.set(new boolean[] {before, ThreadStatus.ofThisThread().blocks(sigwinch), (kernel & (1L << (sigwinch - 1))) != 0});
            } catch (Exception e) {
                seen.set(e);
            }
        });
        t.join();
        if (!(seen.get() instanceof boolean[] b)) {
            throw new AssertionError("the blocking thread failed", (Throwable) seen.get());
        }
        assertFalse(b[0], "not blocked before");
        assertTrue(b[1], "blocked after, as /proc/thread-self reports it");
        assertTrue(b[2], "blocked after, as /proc reports it");
        assertFalse(ThreadStatus.ofThisThread().blocks(sigwinch), "another thread's mask is its own");
    }

    private static long procMask(String file, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of(file))) {
            if (line.startsWith(field)) {
                return Long.parseUnsignedLong(line.substring(field.length()).strip(), 16);
            }
        }
        throw new AssertionError(field + " not in " + file);
    }
}
