package io.cellos.telemetry.bench;

import org.junit.jupiter.api.Test;

import static io.cellos.telemetry.bench.MarkedSection.BEGIN;
import static io.cellos.telemetry.bench.MarkedSection.END;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MarkedSectionTest {
    private static final String BEFORE = "# Benchmarks\n\nhand-written text\n\n";
    private static final String AFTER = "\n## Codec\n\nmore hand-written text, untouched\n";

    @Test
    void onlyTheTextBetweenTheMarkersIsReplaced() {
        String doc = BEFORE + BEGIN + "\nold table\nold notes\n" + END + AFTER;
        String out = MarkedSection.replace(doc, "new table");
        assertEquals(BEFORE + BEGIN + "\nnew table\n" + END + AFTER, out);
    }

    @Test
    void replacingTwiceGivesWhatReplacingOnceGives() {
        String doc = BEFORE + BEGIN + "\nold\n" + END + AFTER;
        String once = MarkedSection.replace(doc, "table\n");
        assertEquals(once, MarkedSection.replace(once, "table\n"));
    }

    @Test
    void aDocumentWithoutMarkersGetsTheSectionAppendedWithThem() {
        assertEquals("# B\n\n" + BEGIN + "\nt\n" + END + "\n", MarkedSection.replace("# B\n", "t"));
        assertEquals("# B\n\n" + BEGIN + "\nt\n" + END + "\n", MarkedSection.replace("# B", "t"));
        assertEquals(BEGIN + "\nt\n" + END + "\n", MarkedSection.replace("", "t"));
    }

    @Test
    void ambiguousMarkersLeaveTheDocumentAlone() {
        IllegalArgumentException noEnd = assertThrows(IllegalArgumentException.class,
                () -> MarkedSection.replace(BEFORE + BEGIN + "\nx\n", "t"));
        assertTrue(noEnd.getMessage().contains("without"), noEnd.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MarkedSection.replace(BEFORE + END + "\n", "t"));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> MarkedSection.replace(BEGIN + "\n" + END + "\n" + BEGIN + "\n" + END + "\n", "t"));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
        IllegalArgumentException reversed = assertThrows(IllegalArgumentException.class,
                () -> MarkedSection.replace(END + "\n" + BEGIN + "\n", "t"));
        assertTrue(reversed.getMessage().contains("before"), reversed.getMessage());
    }
}
