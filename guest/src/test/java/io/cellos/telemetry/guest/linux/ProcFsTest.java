package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ProcFs} against what java.nio reads from the same files. */
class ProcFsTest {
    private static final int SELF = (int) ProcessHandle.current().pid();

    @Test
    void listsThisProcessAndReadsItsFiles() throws Exception {
        try (ProcFs fs = new ProcFs()) {
            int n = fs.listProcesses();
            boolean found = false;
            for (int i = 0; i < n; i++) {
                found |= fs.pid(i) == SELF;
                assertTrue(i == 0 || fs.pid(i) > fs.pid(i - 1), "ascending");
            }
            assertTrue(found, "this JVM is listed among " + n);

            assertEquals(Files.readString(Path.of("/proc/self/comm")).strip(), fs.comm(SELF));
            assertEquals(Path.of("/proc/self/exe").toRealPath().toString(), fs.exe(SELF));
            assertTrue(fs.stat(SELF));
            assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), fs.statParent());
            assertEquals(fs.comm(SELF), fs.statComm());
            assertTrue(fs.statStartTime() > 0);
        }
    }

    @Test
    void readsTheNameOfOneThread() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        int[] tid = new int[1];
        CountDownLatch started = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().name("a-named-thread").start(() -> {
            tid[0] = Integer.parseInt(readThreadSelf());
            started.countDown();
            try {
                done.await(); // stays alive to be read
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        started.await();
        try (ProcFs fs = new ProcFs()) {
            assertEquals("a-named-thread", fs.threadComm(SELF, tid[0]));
        } finally {
            done.countDown();
            t.join();
        }
    }

    @Test
    void aProcessThatIsGoneIsAnAnswerNotAnError() {
        try (ProcFs fs = new ProcFs()) {
            int gone = Integer.MAX_VALUE - 1; // above any pid_max
            assertNull(fs.comm(gone));
            assertNull(fs.exe(gone));
            assertNull(fs.threadComm(gone, gone));
            assertFalse(fs.stat(gone));
        }
    }

    @Test
    void aCommWithSpacesAndParenthesesIsReadWhole() throws Exception {
        String odd = "a) b (c";
        // printf is built into the shell, so /proc/self is the shell, which then waits on its sleep
        Process p = new ProcessBuilder("/bin/sh", "-c", "printf '" + odd + "' > /proc/self/comm; echo named; sleep 60").start();
        try (ProcFs fs = new ProcFs()) {
            int pid = (int) p.pid();
            assertEquals("named", p.inputReader().readLine());
            assertTrue(fs.stat(pid));
            assertEquals(odd, fs.statComm());
            assertEquals(SELF, fs.statParent());
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static String readThreadSelf() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
