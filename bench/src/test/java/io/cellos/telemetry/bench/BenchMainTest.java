package io.cellos.telemetry.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command's answers that run no figure: help and usage errors (neither takes the kernel lock). */
class BenchMainTest {
    private record Answer(int status, String out, String err) {
    }

    private static Answer run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BenchMain.run(List.of(args), Path.of("/nonexistent-project"), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Answer(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryFigureAndTheOptions() throws Exception {
        Answer a = run("--help");
        assertEquals(0, a.status());
        assertTrue(a.out().startsWith("Usage: cellos bench [--quick] [--only NAME[,NAME]...] [--out FILE]"), a.out());
        for (Figure f : BenchMain.SUITE) {
            assertTrue(a.out().contains("  " + f.name() + " "), f.name() + " missing from\n" + a.out());
        }
        assertTrue(a.out().contains("apt-get install forkstat"), a.out());
        assertEquals("", a.err());
    }

    @Test
    void usageErrorsExit2AndSayWhat() throws Exception {
        Answer unknown = run("--quick", "--frobnicate");
        assertEquals(2, unknown.status());
        assertEquals("cellos bench: unknown argument '--frobnicate'; see 'cellos bench --help'\n", unknown.err());
        Answer figure = run("--only", "storm,nope");
        assertEquals(2, figure.status());
        assertTrue(figure.err().contains("no figure 'nope'; known: codec, ingest, idle-cells, tax, storm,"
                + " agent-cost, latency, guest"), figure.err());
        assertEquals("", figure.out());
    }

    @Test
    void everyFigureHasADistinctName() {
        assertEquals(BenchMain.SUITE.size(), BenchMain.SUITE.stream().map(Figure::name).distinct().count());
    }
}
