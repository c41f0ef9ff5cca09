package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Where the running kernel's functions lie, from {@code /proc/kallsyms}: the address range of a
 * text symbol, from its address to the next text symbol's. The addresses are real only for a
 * reader with {@code CAP_SYSLOG} and {@code kernel.kptr_restrict} below 2; otherwise the file shows
 * zeros, and {@link #functions} says so.
 *
 * <p>The file is some 120,000 lines (5 MiB) read once while the agent arms, with the JVM still
 * cold: it is read in large pieces, each scanned as bytes before the next is read, and only the
 * lines of the names asked for become strings (BENCHMARKS.md, "The agent's start-up").
 *
 * <p>Stateless.
 */
public final class Kallsyms {
    public static final Path PROC_KALLSYMS = Path.of("/proc/kallsyms");
    /**
     * Read in pieces of this size, each scanned before the next is read: reading the file a few
     * KiB at a time (as {@code Files.readAllBytes} does) took 130 ms against 35 ms in 1 MiB reads,
     * and holding all of it (5 MiB) grew the agent's heap for good.
     */
    private static final int READ_BYTES = 1 << 18;
    /** "ffffffff8136ffd0 T name": the address's hex digits on a 64-bit kernel. */
    private static final int ADDRESS_DIGITS = 16;

    /** A function's code: {@code start <= address < end}, as unsigned numbers. */
    public record Range(String name, long start, long end) {
        /** Whether {@code address} (a return address, say) lies in this function. */
        public boolean contains(long address) {
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        }
    }

    private Kallsyms() {
    }

    /**
     * The ranges of those of {@code names} that the kernel has as functions of their own (a
     * function the compiler inlined everywhere has no symbol, and is left out), of the core kernel
     * and its modules alike; ordered by address.
     *
     * @throws IOException if the file cannot be read, or shows no addresses (no {@code CAP_SYSLOG},
     *                     or {@code kptr_restrict=2})
     */
    public static List<Range> functions(Collection<String> names) throws IOException {
        return functions(PROC_KALLSYMS, names);
    }

    /**
     * {@link #functions(Collection)} from {@code file}, a file in {@code /proc/kallsyms}'s format:
     * {@code ADDRESS TYPE NAME[\t[MODULE]]} per line, the address in 16 hex digits. Other lines are
     * skipped. A name listed twice keeps its first address; a function's end is the lowest text
     * symbol's address above its start, wherever in the file that symbol is.
     */
    static List<Range> functions(Path file, Collection<String> names) throws IOException {
        Scan scan = new Scan(names);
        byte[] text = new byte[READ_BYTES];
        int held = 0; // bytes read and not yet scanned: the start of a line
        try (InputStream in = Files.newInputStream(file)) { // a /proc file says size 0: read to its end
            for (int n; (n = in.read(text, held, text.length - held)) > 0; ) {
                int end = held + n;
                int at = 0;
                for (int eol; (eol = lineEnd(text, at, end)) < end; at = eol + 1) {
                    scan.line(text, at, eol);
                }
                held = end - at;
                if (held == text.length) {
                    held = 0; // a line longer than the buffer is no line of this file's: skipped
                }
                System.arraycopy(text, at, text, 0, held);
            }
        }
        scan.line(text, 0, held); // a last line without its newline
        return scan.ranges(file);
    }

    /** What a scan has found so far: the names' first addresses, and every text symbol's address. */
    private static final class Scan {
        private final byte[][] wanted;
        private final long[] starts;
        private final boolean[] found;
        /** Which name lengths are wanted: most lines are compared with no name (the scan runs on a cold JVM). */
        private final boolean[] wantedLength;
        private long[] all = new long[1 << 17]; // a kernel has some 100,000 text symbols
        private int count;
        private boolean anyAddress;

        Scan(Collection<String> names) {
            wanted = names.stream().distinct().map(n -> n.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
            starts = new long[wanted.length];
            found = new boolean[wanted.length];
            int longest = 0;
            for (byte[] w : wanted) {
                longest = Math.max(longest, w.length);
            }
            wantedLength = new boolean[longest + 1];
            for (byte[] w : wanted) {
                wantedLength[w.length] = true;
            }
        }

        /** Takes the line {@code text[at, eol)} if it is a text symbol's. */
        void line(byte[] text, int at, int eol) {
            int type = at + ADDRESS_DIGITS + 1;
            if (eol - at <= ADDRESS_DIGITS + 3 || text[type - 1] != ' ' || text[type + 1] != ' '
                    || text[type] != 'T' && text[type] != 't' || !isHexAddress(text, at)) {
                return;
            }
            long address = hex(text, at);
            anyAddress |= address != 0;
            if (count == all.length) {
                all = Arrays.copyOf(all, count * 2);
            }
            all[count++] = address;
            int name = type + 2;
            int nameEnd = name;
            while (nameEnd < eol && text[nameEnd] != '\t') {
                nameEnd++;
            }
            if (nameEnd - name >= wantedLength.length || !wantedLength[nameEnd - name]) {
                return;
            }
            for (int i = 0; i < wanted.length; i++) {
                if (!found[i] && Arrays.equals(text, name, nameEnd, wanted[i], 0, wanted[i].length)) {
                    found[i] = true;
                    starts[i] = address;
                }
            }
        }

        /** The ranges of the names found, by address; {@code file} names the file in the error. */
        List<Range> ranges(Path file) throws IOException {
            if (!anyAddress) {
                throw new IOException(file + " shows no addresses: reading them takes CAP_SYSLOG and"
                        + " kernel.kptr_restrict below 2");
            }
            List<Range> out = new ArrayList<>();
            for (int i = 0; i < wanted.length; i++) {
                if (found[i]) {
                    long end = nextAbove(all, count, starts[i]);
                    if (end != starts[i]) {
                        out.add(new Range(new String(wanted[i], StandardCharsets.US_ASCII), starts[i], end));
                    }
                }
            }
            out.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
            return out;
        }
    }

    /** The index of the newline ending the line at {@code from}, or {@code length}. */
    private static int lineEnd(byte[] text, int from, int length) {
        int i = from;
        while (i < length && text[i] != '\n') {
            i++;
        }
        return i;
    }

    /** The lowest of the first {@code count} addresses above {@code start}, unsigned; {@code start} if none. */
    private static long nextAbove(long[] addresses, int count, long start) {
        long best = start;
        for (int i = 0; i < count; i++) {
            long a = addresses[i];
            if (Long.compareUnsigned(a, start) > 0 && (best == start || Long.compareUnsigned(a, best) < 0)) {
                best = a;
            }
        }
        return best;
    }

    /** Whether the 16 characters at {@code from} are hex digits. */
    private static boolean isHexAddress(byte[] text, int from) {
        for (int i = from; i < from + ADDRESS_DIGITS; i++) {
            if (digit(text[i]) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The number the 16 hex digits at {@code from} write ({@link #isHexAddress} holds). */
    private static long hex(byte[] text, int from) {
        long v = 0;
        for (int i = from; i < from + ADDRESS_DIGITS; i++) {
            v = v << 4 | digit(text[i]);
        }
        return v;
    }

    /**
     * The value of hex digit {@code c}, or -1. Written out rather than {@link Character#digit}: the
     * scan runs it 32 times on each of some 100,000 lines, on a cold JVM.
     */
    private static int digit(byte c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
