package io.cellos.telemetry.guest.probe.file;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Temporary directories in {@code /dev/shm}: for tests that create tens of thousands of files,
 * which a tmpfs does in a fraction of the time a disk filesystem takes.
 */
final class TmpfsTempDir implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
        return Files.createTempDirectory(Path.of("/dev/shm"), "cellos-probe-test-");
    }
}
