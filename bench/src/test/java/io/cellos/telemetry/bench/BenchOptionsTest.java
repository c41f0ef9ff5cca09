package io.cellos.telemetry.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest {
    private static final Path ROOT = Path.of("/project");
    private static final List<String> KNOWN = List.of("codec", "ingest", "storm");

    private static BenchOptions parse(String... args) {
        return BenchOptions.parse(List.of(args), ROOT, KNOWN);
    }

    private static String refused(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(args)).getMessage();
    }

    @Test
    void withoutArgumentsEveryFigureRunsInFullIntoBenchmarksMd() {
        BenchOptions o = parse();
        assertFalse(o.quick());
        assertFalse(o.help());
        assertEquals(KNOWN, o.only());
        assertEquals(ROOT.resolve("BENCHMARKS.md"), o.out());
    }

    @Test
    void onlyKeepsTheSuitesOrderAndDropsRepeats() {
        BenchOptions o = parse("--quick", "--only", "storm,codec,storm", "--out", "t.md");
        assertTrue(o.quick());
        assertEquals(List.of("codec", "storm"), o.only());
        assertEquals(Path.of("t.md"), o.out());
    }

    @Test
    void helpIsRecognisedAnywhere() {
        assertTrue(parse("--quick", "--help").help());
        assertTrue(parse("-h").help());
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(refused("--fast").contains("unknown argument '--fast'"));
        assertTrue(refused("--only", "codec,nope").contains("no figure 'nope'; known: codec, ingest, storm"));
        assertTrue(refused("--only", "codec,").contains("no figure ''"));
        assertTrue(refused("--only").contains("--only needs a value"));
        assertTrue(refused("--out", "--quick").contains("--out needs a value"));
        assertTrue(refused("--out", "a", "--out", "b").contains("--out given twice"));
    }
}
