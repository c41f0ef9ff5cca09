package io.cellos.telemetry.wire;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wait statuses read as the C library reads them: cross-checked against Python's {@code os} macros. */
class WaitStatusTest {
    @Test
    void everySixteenBitStatusReadsAsGlibcReadsIt() throws Exception {
        String script = """
                import os, sys
                out = []
                for s in range(0x10000):
                    term = os.WIFEXITED(s) or os.WIFSIGNALED(s)
                    out.append("%d %d %d %d %d %d" % (s, term, os.WIFEXITED(s), os.WEXITSTATUS(s) if os.WIFEXITED(s) else -1,
                        os.WTERMSIG(s) if os.WIFSIGNALED(s) else -1, os.WCOREDUMP(s) if os.WIFSIGNALED(s) else 0))
                sys.stdout.write("\\n".join(out))
                """;
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines.subList(0, Math.min(5, lines.size()))));
        assertEquals(0x10000, lines.size());
        for (String line : lines) {
            String[] f = line.split(" ");
            WaitStatus w = new WaitStatus(Integer.parseInt(f[0]));
            String what = "status " + f[0];
            assertEquals(f[1].equals("1"), w.isTermination(), what);
            if (!w.isTermination()) {
                continue;
            }
            assertEquals(f[2].equals("1"), w.exited(), what);
            if (w.exited()) {
                assertEquals(Integer.parseInt(f[3]), w.code(), what);
            } else {
                assertEquals(Integer.parseInt(f[4]), w.signal(), what);
                assertEquals(f[5].equals("1"), w.coreDumped(), what);
            }
        }
    }

    @Test
    void aGuestsThirtyTwoBitValueIsNoTermination() {
        assertFalse(new WaitStatus(0x10000).isTermination());
        assertFalse(new WaitStatus(-1).isTermination());
    }

    @Test
    void signalsAreNamedAsOnX8664Linux() {
        assertEquals("SIGKILL", WaitStatus.signalName(9));
        assertEquals("SIGSYS", WaitStatus.signalName(31));
        assertEquals("SIGRTMIN+0", WaitStatus.signalName(34));
        assertEquals("SIGRTMIN+30", WaitStatus.signalName(64));
        assertNull(WaitStatus.signalName(0));
        assertNull(WaitStatus.signalName(32), "reserved by the C library, not named by the kernel");
        assertNull(WaitStatus.signalName(65));
        assertEquals("signal 9 (SIGKILL)", new WaitStatus(9).toString());
        assertEquals("signal 11 (SIGSEGV), core dumped", new WaitStatus(0x8b).toString());
        assertEquals("exit 1", new WaitStatus(256).toString());
        assertTrue(new WaitStatus(256).exited());
    }
}
