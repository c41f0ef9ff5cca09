package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the running kernel's functions lie, from {@code /proc/kallsyms}: the address range of a
 * text symbol, from its address to the next text symbol's. The addresses are real only for a
 * reader with {@code CAP_SYSLOG} and {@code kernel.kptr_restrict} below 2; otherwise the file shows
 * zeros, and {@link #functions} says so.
 *
 * <p>Stateless.
 */
public final class Kallsyms {
    public static final Path PROC_KALLSYMS = Path.of("/proc/kallsyms");

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
     * and its modules alike.
     *
     * @throws IOException if the file cannot be read, or shows no addresses (no {@code CAP_SYSLOG},
     *                     or {@code kptr_restrict=2})
     */
    public static List<Range> functions(Collection<String> names) throws IOException {
        Map<String, Long> starts = new HashMap<>();
        long[] all = new long[1 << 16]; // every function's start, unboxed: a kernel has some 100,000
        int count = 0;
        boolean anyAddress = false;
        try (Stream<String> lines = Files.lines(PROC_KALLSYMS)) {
            for (String line : (Iterable<String>) lines::iterator) {
                // "ffffffff8136ffd0 T ns_capable" or "... t name\t[module]"
                int sp1 = line.indexOf(' ');
                int sp2 = line.indexOf(' ', sp1 + 1);
                if (sp1 <= 0 || sp2 != sp1 + 2) {
                    continue;
                }
                char type = line.charAt(sp1 + 1);
                if (type != 'T' && type != 't') {
                    continue;
                }
                long address = Long.parseUnsignedLong(line, 0, sp1, 16);
                anyAddress |= address != 0;
                if (count == all.length) {
                    all = Arrays.copyOf(all, count * 2);
                }
                all[count++] = address;
                int end = line.indexOf('\t', sp2 + 1);
                String name = line.substring(sp2 + 1, end < 0 ? line.length() : end);
                if (names.contains(name)) {
                    starts.putIfAbsent(name, address);
                }
            }
        }
        if (!anyAddress) {
            throw new IOException(PROC_KALLSYMS + " shows no addresses: reading them takes CAP_SYSLOG and"
                    + " kernel.kptr_restrict below 2");
        }
        long[] sorted = Arrays.copyOf(all, count);
        Arrays.sort(sorted); // kernel addresses share their sign: signed order is unsigned order
        List<Range> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : starts.entrySet()) {
            long start = e.getValue();
            int i = Arrays.binarySearch(sorted, start);
            while (i + 1 < sorted.length && sorted[i + 1] == start) {
                i++; // an alias at the same address
            }
            if (i + 1 < sorted.length) {
                out.add(new Range(e.getKey(), start, sorted[i + 1]));
            }
        }
        out.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
        return out;
    }
}
