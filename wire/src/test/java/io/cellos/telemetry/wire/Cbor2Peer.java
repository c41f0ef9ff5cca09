package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code cbor2_peer.py} (see its docstring) under Debian's {@code /usr/bin/python3}, which
 * has {@code python3-cbor2}; the {@code python3} first on PATH may be another build without it.
 * A missing interpreter or module fails the test: the cross-check is never skipped.
 */
final class Cbor2Peer {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String INSTALL = "run `apt-get install python3-cbor2` (the wire tests need Debian's "
            + "/usr/bin/python3 with the cbor2 module)";
    /** The script's exit status when it cannot import cbor2. */
    private static final int NO_CBOR2 = 3;

    private Cbor2Peer() {
    }

    /** Sends {@code lines} to the script in {@code mode} and returns its answer, one line per line sent. */
    static List<String> run(String mode, List<String> lines) throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            fail(PYTHON + " is missing: " + INSTALL);
        }
        Path stderr = Files.createTempFile("cbor2_peer", ".stderr");
        try {
            // -I: ignore PYTHON* variables and the user's site-packages; only Debian's modules count.
            Process p = new ProcessBuilder(PYTHON.toString(), "-I", "-c", script(), mode)
                    .redirectError(stderr.toFile()).start();
            // The script reads all of stdin before it writes, so writing all, then reading all, cannot deadlock.
            try (Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
                for (String line : lines) {
                    in.write(line);
                    in.write('\n');
                }
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("cbor2_peer.py " + mode + " did not exit");
            }
            String err = Files.readString(stderr);
            if (p.exitValue() == NO_CBOR2) {
                fail(err.strip() + "\n" + INSTALL);
            }
            if (p.exitValue() != 0) {
                fail("cbor2_peer.py " + mode + " exited with " + p.exitValue() + ":\n" + err);
            }
            List<String> answers = out.lines().toList();
            assertEquals(lines.size(), answers.size(), "one answer per line sent");
            return answers;
        } finally {
            Files.delete(stderr);
        }
    }

    private static String script() throws IOException {
        try (InputStream in = Cbor2Peer.class.getResourceAsStream("cbor2_peer.py")) {
            if (in == null) {
                throw new IOException("cbor2_peer.py is not on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
