package io.cellos.telemetry.guest.probe.file;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the tests of each file-watch mechanism share: a writer executable with a name of its own
 * ({@link NamedWriter}), installed once per class, and a directory of each test's own.
 */
abstract class WriterFixture {
    static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path bin;
    static Path writerExe;

    @TempDir
    Path tmp;

    @BeforeAll
    static void installWriter() throws Exception {
        writerExe = NamedWriter.install(bin);
    }

    /** A new directory in the test's own, by its real path: the path the probes report. */
    Path watchedDir() throws IOException {
        return Files.createDirectory(tmp.resolve("watched")).toRealPath();
    }
}
