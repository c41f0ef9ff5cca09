package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agents' lock against real holders: another lock, and another process's lease on its file. */
class FileLockTest {
    @TempDir
    Path tmp;

    @Test
    void aLockHeldElsewhereIsReportedNotHadAfterThePatience() throws Exception {
        String path = tmp.resolve("lock").toString();
        try (FileLock first = FileLock.acquire(path, 0)) {
            assertNotNull(first);
            assertNull(FileLock.acquire(path, 50_000_000L), "the second open description waits, then gives up");
        }
        try (FileLock again = FileLock.acquire(path, 0)) {
            assertNotNull(again, "released with its descriptor");
        }
    }

    /**
     * A process holding a write lease on the lock file (root may lease any file it owns) would hold
     * a blocking open back for lease-break-time (45 s by default): the lock reports itself not had
     * at once. (The kernel still starts breaking the lease, and tells the holder with SIGIO.)
     */
    @Test
    void aLeaseOnTheFileCannotHoldTheOpenBack() throws Exception {
        Path file = tmp.resolve("leased");
        java.nio.file.Files.createFile(file);
        String holder = """
                import fcntl, os, signal, sys, time
                signal.signal(signal.SIGIO, lambda *_: print("broken", flush=True))
                fd = os.open(sys.argv[1], os.O_RDONLY)
                fcntl.fcntl(fd, 1024, fcntl.F_WRLCK)
                print("leased", flush=True)
                time.sleep(30)
                """;
        Process p = new ProcessBuilder("python3", "-c", holder, file.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("leased", out.readLine());
            // a blocking open would wait for the lease to break, then lock: not null
            assertNull(FileLock.acquire(file.toString(), 0));
            assertTrue(p.isAlive());
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }
}
