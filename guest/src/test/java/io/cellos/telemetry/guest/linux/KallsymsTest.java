package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Kallsyms}: made-up files with every shape of line, and the real file against a plain reading of it. */
class KallsymsTest {
    @TempDir
    Path dir;

    @Test
    void endsAFunctionAtTheNextTextSymbolWhereverItIsListed() throws IOException {
        Path f = write("""
                ffffffff81000000 T _stext
                ffffffff81000100 T wanted_a
                ffffffff81000100 t alias_of_a
                ffffffff81000180 D data_between
                ffffffff81000200 t next_after_a
                ffffffffc0200000 t in_module\t[mod]
                ffffffff81000150 T listed_late
                ffffffffc0200040 T wanted_b\t[mod]
                ffffffffc0200100 t end_of_b\t[mod]
                ffffffff81000900 T wanted_a
                ffffffffffffff00 T last
                not a line at all
                ffffffff8100zz00 T bad_digits
                """);
        List<Kallsyms.Range> r = Kallsyms.functions(f, List.of("wanted_b", "wanted_a", "missing", "last"));
        assertEquals(List.of(new Kallsyms.Range("wanted_a", 0xffffffff81000100L, 0xffffffff81000150L),
                new Kallsyms.Range("wanted_b", 0xffffffffc0200040L, 0xffffffffc0200100L)), r,
                "a data symbol does not end a function, a later line may; the first of a name counts;"
                        + " the highest function has no end and is left out");
        assertTrue(r.getFirst().contains(0xffffffff8100014fL));
        assertFalse(r.getFirst().contains(0xffffffff81000150L));
    }

    @Test
    void readsAFileLargerThanItsBufferWithLinesAcrossItsPieces() throws IOException {
        StringBuilder b = new StringBuilder();
        List<String> names = new ArrayList<>();
        List<Kallsyms.Range> expected = new ArrayList<>();
        int symbols = 40_000; // some 1.4 MB: several of the reader's pieces
        for (int i = 0; i < symbols; i++) {
            String name = "function_number_" + i;
            b.append(String.format("%016x", 0xffffffff81000000L + 16L * i)).append(" T ").append(name).append('\n');
            if (i % 97 == 0 && i + 1 < symbols) {
                names.add(name);
                expected.add(new Kallsyms.Range(name, 0xffffffff81000000L + 16L * i, 0xffffffff81000000L + 16L * (i + 1)));
            }
        }
        // the last line, without its newline, ends the last function asked for early: so it was read
        Kallsyms.Range last = expected.removeLast();
        expected.add(new Kallsyms.Range(last.name(), last.start(), last.start() + 8));
        b.append(String.format("%016x", last.start() + 8)).append(" t no_newline_at_the_end");
        assertEquals(expected, Kallsyms.functions(write(b.toString()), names),
                "every name found, wherever its line fell in the pieces read, and the last, unended line too");
    }

    @Test
    void refusesAFileWithoutAddresses() throws IOException {
        Path f = write("""
                0000000000000000 T _stext
                0000000000000000 T wanted
                """);
        IOException e = assertThrows(IOException.class, () -> Kallsyms.functions(f, List.of("wanted")));
        assertTrue(e.getMessage().contains("CAP_SYSLOG"), e.getMessage());
    }

    @Test
    void readsTheRunningKernelAsAPlainReadingDoes() throws IOException {
        List<String> names = List.of("ns_capable_noaudit", "has_capability_noaudit", "inet_create",
                "packet_create", "do_sys_openat2", "schedule");
        Map<Long, String> texts = new TreeMap<>(Long::compareUnsigned);
        Map<String, Long> starts = new TreeMap<>();
        for (String line : Files.readAllLines(Kallsyms.PROC_KALLSYMS)) {
            String[] f = line.split("[ \t]+");
            if (f[1].equalsIgnoreCase("t")) {
                long a = Long.parseUnsignedLong(f[0], 16);
                texts.putIfAbsent(a, f[2]);
                if (names.contains(f[2])) {
                    starts.putIfAbsent(f[2], a);
                }
            }
        }
        List<Kallsyms.Range> expected = new ArrayList<>();
        starts.forEach((name, start) -> expected.add(new Kallsyms.Range(name, start,
                ((TreeMap<Long, String>) texts).higherKey(start))));
        expected.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
        assertTrue(expected.size() >= 4, "the kernel has most of these as functions: " + expected);
        assertEquals(expected, Kallsyms.functions(names));
    }

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("kallsyms"), text);
    }
}
