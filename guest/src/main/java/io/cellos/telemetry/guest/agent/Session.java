package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The agent's session value (protocol.md §4 {@code session}): 128 bits from the kernel's random
 * source, drawn once when the agent starts, as 32 lowercase hex digits. The agent sends it first
 * thing on every connection; the host pins the value of the boot's first connection and refuses
 * any later connection that does not carry it — so a process that opens the host's socket cannot
 * pass its frames off as the agent's without knowing a value that exists only in the agent's
 * memory (the agent is non-dumpable, and the seccomp gate keeps tracing and memory access away
 * from it).
 */
final class Session {
    private static final int BYTES = 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Session() {
    }

    /** A new value, from {@code getrandom(2)}, waiting for the kernel's pool if it is not ready yet. */
    static String draw() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment random = arena.allocate(BYTES);
            long got = 0;
            while (got < BYTES) {
                got += Libc.GETRANDOM.call("getrandom", random.asSlice(got), BYTES - got, 0);
            }
            char[] text = new char[BYTES * 2];
            for (int i = 0; i < BYTES; i++) {
                int b = random.get(JAVA_BYTE, i) & 0xff;
                text[2 * i] = HEX[b >>> 4];
                text[2 * i + 1] = HEX[b & 0xf];
            }
            return new String(text);
        }
    }
}
