package io.cellos.telemetry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** An event log is appended to, never truncated, and says where this run's lines start. */
class EventLogFileTest {
    @TempDir
    Path tmp;

    @Test
    void aNewFileIsJustItsPath() throws Exception {
        Path p = tmp.resolve("new/dir/events.jsonl");
        EventLogFile log = EventLogFile.open(p);
        log.stream().close();
        assertEquals(0, log.linesBefore());
        assertEquals(p.toString(), log.describe());
        assertEquals(0, Files.size(p));
    }

    @Test
    void anEarlierRunsLinesAreKeptAndCounted() throws Exception {
        Path p = tmp.resolve("events.jsonl");
        EventLogFile log = appendAfter(p, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
        assertEquals(p + " (appended to: it already held 3 lines; this run's events start at line 4)", log.describe());
        assertEquals(List.of("{\"a\":1}", "{\"a\":2}", "{\"a\":3}", "{\"b\":1}"), Files.readAllLines(p));
        assertFalse(log.lineEnded());
    }

    @Test
    void anUnfinishedLastLineIsEndedSoThatThisRunStartsOnALineOfItsOwn() throws Exception {
        Path p = tmp.resolve("events.jsonl");
        EventLogFile log = appendAfter(p, "{\"a\":1}\n{\"a\":");
        assertEquals(p + " (appended to: it already held 2 lines, the last one unfinished, which a line break now ends;"
                + " this run's events start at line 3)", log.describe());
        assertEquals(List.of("{\"a\":1}", "{\"a\":", "{\"b\":1}"), Files.readAllLines(p));
    }

    /** Writes {@code earlier} to {@code p}, then opens it as an event log and appends one line. */
    private static EventLogFile appendAfter(Path p, String earlier) throws Exception {
        Files.writeString(p, earlier);
        EventLogFile log = EventLogFile.open(p);
        try (var out = log.stream()) {
            out.write("{\"b\":1}\n".getBytes());
        }
        return log;
    }
}
