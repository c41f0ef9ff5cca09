package io.cellos.telemetry.guest.exec;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.EventFd;
import io.cellos.telemetry.guest.linux.FileStat;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.OpenFlags;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link ExecutableHasher} on real processes executing real files, checked against the
 * {@code sha256sum} of coreutils. The processes run a copy of {@code sleep}: the request needs a
 * process that still executes the file.
 */
class ExecutableHasherTest {
    private static final Path SLEEP = Path.of("/bin/sleep");
    /** A bound on waiting for what must happen, so that a fault fails the test instead of hanging it. */
    private static final int WAIT_MILLIS = 30_000;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void aRenamedCopyAndTheOriginalHashAsSha256sumDoes() throws Exception {
        Path copy = Files.copy(SLEEP, dir.resolve("renamed-copy"));
        copy.toFile().setExecutable(true);
        String expected = sha256sum(SLEEP);
        assertEquals(expected, sha256sum(copy), "sha256sum of the copy");
        try (ExecutableHasher hasher = new ExecutableHasher(HashLimits.DEFAULT)) {
            Process original = run(SLEEP.toString());
            Process renamed = run(copy.toString());
            assertNull(hasher.request(pid(original), null, 1));
            assertNull(hasher.request(pid(renamed), null, 2));
            Map<Long, ExecutableHash> answers = await(hasher, 2);

            ExecutableHash first = answers.get(1L);
            assertEquals(expected, first.sha256(), first.toString());
            assertEquals(HashOutcome.HASHED, first.outcome());
            assertEquals(ExecutableKind.REGULAR, first.kind());
            assertEquals(SLEEP.toRealPath().toString(), first.file());
            ExecutableHash second = answers.get(2L);
            assertEquals(expected, second.sha256(), second.toString());
            assertEquals(ExecutableKind.REGULAR, second.kind());
            assertEquals(copy.toString(), second.file());
            assertEquals(2, hasher.counters().of(HashOutcome.HASHED), "two files, two inodes: " + hasher.counters());
        }
    }

    @Test
    void aMemfdExecutedThroughItsDescriptorHashesAsTheFileItWasFilledFrom() throws Exception {
        String script = """
                import os
                fd = os.memfd_create("cellos-exec-test", 0)
                view = memoryview(open("%s", "rb").read())
                while view:
                    view = view[os.write(fd, view):]
                os.execv("/proc/self/fd/%%d" %% fd, ["sleep", "60"])
                """.formatted(SLEEP);
        try (ExecutableHasher hasher = new ExecutableHasher(HashLimits.DEFAULT)) {
            Process p = start(List.of("/usr/bin/python3", "-c", script), "/memfd:cellos-exec-test");
            assertNull(hasher.request(pid(p), null, 7));
            ExecutableHash answer = await(hasher, 1).get(7L);
            assertEquals(sha256sum(SLEEP), answer.sha256(), answer.toString());
            assertEquals(ExecutableKind.MEMFD, answer.kind());
            assertEquals("/memfd:cellos-exec-test (deleted)", answer.file());
        }
    }

    @Test
    void aBinaryDeletedWhileItRunsIsHashedAndMarkedDeleted() throws Exception {
        Path doomed = Files.copy(SLEEP, dir.resolve("doomed"));
        doomed.toFile().setExecutable(true);
        String expected = sha256sum(doomed);
        try (ExecutableHasher hasher = new ExecutableHasher(HashLimits.DEFAULT)) {
            Process p = run(doomed.toString());
            Files.delete(doomed);
            assertNull(hasher.request(pid(p), null, 3));
            ExecutableHash answer = await(hasher, 1).get(3L);
            assertEquals(expected, answer.sha256(), answer.toString());
            assertEquals(ExecutableKind.DELETED, answer.kind());
            assertEquals(doomed + " (deleted)", answer.file());
        }
    }

    @Test
    void aBinaryRequestedAThousandTimesIsReadOnce() throws Exception {
        try (ExecutableHasher hasher = new ExecutableHasher(HashLimits.DEFAULT)) {
            int pid = pid(run(SLEEP.toString()));
            // while the file is being hashed, requests of it wait for the same reading
            for (long token = 0; token < 1000; token++) {
                assertNull(hasher.request(pid, null, token));
            }
            Map<Long, ExecutableHash> burst = await(hasher, 1000);
            String expected = sha256sum(SLEEP);
            for (ExecutableHash answer : burst.values()) {
                assertEquals(expected, answer.sha256(), answer.toString());
            }
            // once drained, the cache answers at once
            for (long token = 1000; token < 2000; token++) {
                ExecutableHash answer = hasher.request(pid, null, token);
                assertNotNull(answer, "token " + token);
                assertEquals(HashOutcome.CACHED, answer.outcome());
                assertEquals(expected, answer.sha256());
            }
            assertEquals(1, hasher.counters().of(HashOutcome.HASHED), hasher.counters().toString());
            assertEquals(1999, hasher.counters().of(HashOutcome.CACHED), hasher.counters().toString());
        }
    }

    @Test
    void aKnownProgramIsAnsweredByItsStatusWithoutBeingOpenedOrNamed() throws Exception {
        try (ExecutableHasher hasher = new ExecutableHasher(HashLimits.DEFAULT)) {
            assertNull(hasher.request(pid(run(SLEEP.toString())), null, 1));
            assertEquals(SLEEP.toRealPath().toString(), await(hasher, 1).get(1L).file(), "hashed: opened and named");
            ExecutableHash known = hasher.request(pid(run(SLEEP.toString())), null, 2);
            assertNotNull(known, "answered at once");
            assertEquals(HashOutcome.CACHED, known.outcome());
            assertEquals(sha256sum(SLEEP), known.sha256());
            assertEquals(ExecutableKind.REGULAR, known.kind());
            assertNull(known.file(), "known by its status: not opened, not named");
        }
    }

    @Test
    void theKernelsKeyOfAKnownFileAnswersEvenForAProcessGoneOrRunningAnotherProgram() throws Exception {
        Path copy = dir.resolve("known"); // sleep with bytes past its sections: its own hash
        Files.write(copy, concat(Files.readAllBytes(SLEEP), "known".getBytes(StandardCharsets.US_ASCII)));
        copy.toFile().setExecutable(true);
        String copySha = sha256sum(copy);
        assertNotEquals(sha256sum(SLEEP), copySha);
        try (ExecutableHasher hasher = new ExecutableHasher(HashLimits.DEFAULT)) {
            FileKey kernels = keyOf(copy); // what the eBPF probe reads from the inode: equal on this file system
            Process gone = run(copy.toString());
            gone.destroyForcibly();
            gone.waitFor();
            assertEquals(HashOutcome.PROCESS_GONE, hasher.request(pid(gone), kernels, 1).outcome(),
                    "not known yet: only /proc/PID/exe could tell");

            assertNull(hasher.request(pid(run(copy.toString())), kernels, 2));
            assertNull(hasher.request(pid(gone), kernels, 3), "being read: the gone process's exec waits for that reading");
            Map<Long, ExecutableHash> answers = await(hasher, 2);
            assertEquals(copySha, answers.get(2L).sha256());
            assertEquals(copySha, answers.get(3L).sha256(), "the exec's own file, though its process ended");

            Process other = run(SLEEP.toString()); // its pid now executes another file than the key names
            ExecutableHash byKey = hasher.request(pid(other), kernels, 4);
            assertEquals(HashOutcome.CACHED, byKey.outcome());
            assertEquals(copySha, byKey.sha256(), "the file the key names, not the one the pid runs now");
            assertEquals(1, hasher.counters().byInode(), "counted as found by the exec's inode: " + hasher.counters());
            assertNull(hasher.request(pid(other), null, 5), "without a key: the file the pid runs now");
            assertEquals(sha256sum(SLEEP), await(hasher, 1).get(5L).sha256());
        }
    }

    /** The key {@code stat(2)} gives {@code file}. */
    private static FileKey keyOf(Path file) {
        try (FileStat stat = new FileStat(); Arena arena = Arena.ofConfined()) {
            assertEquals(0, stat.at(arena.allocateFrom(file.toString())));
            return FileKey.of(stat);
        }
    }

    @Test
    void aBinaryRewrittenInPlaceIsHashedAgain() throws Exception {
        byte[] program = Files.readAllBytes(SLEEP);
        Path binary = dir.resolve("rewritten");
        // the same size both times: only the content and the ctime differ (an ELF file ignores bytes past its sections)
        Files.write(binary, concat(program, "version 1".getBytes(StandardCharsets.US_ASCII)));
        binary.toFile().setExecutable(true);
        try (ExecutableHasher hasher = new ExecutableHasher(HashLimits.DEFAULT)) {
            Process first = run(binary.toString());
            assertNull(hasher.request(pid(first), null, 1));
            String before = await(hasher, 1).get(1L).sha256();
            assertEquals(sha256sum(binary), before);
            first.destroyForcibly();
            first.waitFor(); // a file being executed cannot be written (ETXTBSY)

            Object inode = Files.getAttribute(binary, "unix:ino");
            FileTime ctime = (FileTime) Files.getAttribute(binary, "unix:ctime");
            Files.write(binary, concat(program, "version 2".getBytes(StandardCharsets.US_ASCII)),
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            assertEquals(inode, Files.getAttribute(binary, "unix:ino"), "rewritten in place");
            assertNotEquals(ctime, Files.getAttribute(binary, "unix:ctime"),
                    "the write gave the file a new ctime (this filesystem's ctime is too coarse to tell)");

            Process second = run(binary.toString());
            assertNull(hasher.request(pid(second), null, 2), "not answered from the cache");
            ExecutableHash after = await(hasher, 1).get(2L);
            assertEquals(sha256sum(binary), after.sha256(), after.toString());
            assertNotEquals(before, after.sha256());
            assertEquals(2, hasher.counters().of(HashOutcome.HASHED), hasher.counters().toString());
        }
    }

    @Test
    void aProcessGoneBeforeTheRequestIsAnsweredAtOnceWithTheReason() throws Exception {
        try (ExecutableHasher hasher = new ExecutableHasher(HashLimits.DEFAULT)) {
            Process p = run(SLEEP.toString());
            p.destroyForcibly();
            p.waitFor(); // reaped: its pid names no process
            ExecutableHash answer = hasher.request(pid(p), null, 9);
            assertNotNull(answer, "answered at once");
            assertEquals(HashOutcome.PROCESS_GONE, answer.outcome());
            assertNull(answer.sha256());
            assertTrue(answer.reason().startsWith("the process ended before its file could be opened (newfstatat(/proc/"
                    + p.pid() + "/exe): ENOENT)"), answer.reason());
            assertEquals(ExecutableKind.UNKNOWN, answer.kind());
            assertEquals(1, hasher.counters().of(HashOutcome.PROCESS_GONE));
            assertEquals(0, hasher.drain(a -> fail("no second answer: " + a)));
        }
    }

    @Test
    void aFullHasherRefusesAsBusyAndEveryRequestIsAnsweredOnce() throws Exception {
        List<Integer> pids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path copy = Files.copy(SLEEP, dir.resolve("copy-" + i));
            copy.toFile().setExecutable(true);
            pids.add(pid(run(copy.toString())));
        }
        try (ExecutableHasher hasher = new ExecutableHasher(new HashLimits(2, 2, 512L << 20, 16, 1000))) {
            Map<Long, Integer> answered = new HashMap<>();
            List<ExecutableHash> busy = new ArrayList<>();
            for (int i = 0; i < pids.size(); i++) {
                ExecutableHash now = hasher.request(pids.get(i), null, i);
                if (now != null) {
                    answered.merge(now.token(), 1, Integer::sum);
                    busy.add(now);
                }
            }
            // two files are in flight until drained, whatever the worker has done meanwhile
            assertEquals(2, busy.size(), busy.toString());
            for (ExecutableHash refusal : busy) {
                assertEquals(HashOutcome.BUSY, refusal.outcome());
                assertTrue(refusal.reason().startsWith("the hasher is busy: "), refusal.reason());
            }
            for (ExecutableHash later : await(hasher, 2).values()) {
                answered.merge(later.token(), 1, Integer::sum);
                assertEquals(HashOutcome.HASHED, later.outcome(), later.toString());
            }
            assertEquals(Map.of(0L, 1, 1L, 1, 2L, 1, 3L, 1), answered, "each request answered exactly once");
            // drained, the hasher takes files again
            assertNull(hasher.request(pids.get(3), null, 4));
            assertEquals(HashOutcome.HASHED, await(hasher, 1).get(4L).outcome());
        }
    }

    @Test
    void aFileOverTheLimitIsRefusedWithItsSize() throws Exception {
        try (ExecutableHasher hasher = new ExecutableHasher(new HashLimits(4, 4, 1024, 16, 1000))) {
            ExecutableHash answer = hasher.request(pid(run(SLEEP.toString())), null, 5);
            assertNotNull(answer);
            assertEquals(HashOutcome.TOO_LARGE, answer.outcome());
            assertTrue(answer.reason().contains("is larger than 1024 bytes"), answer.reason());
            assertTrue(answer.reason().contains("its size: " + Files.size(SLEEP)), answer.reason());
        }
    }

    @Test
    void closeLeavesNoDescriptorOpenAndEndsTheWorker() throws Exception {
        List<Integer> pids = new ArrayList<>();
        byte[] padding = new byte[32 << 20]; // files that take a while to read, so that close() finds some in flight
        for (int i = 0; i < 4; i++) {
            Path big = dir.resolve("big-" + i);
            Files.write(big, concat(Files.readAllBytes(SLEEP), padding));
            big.toFile().setExecutable(true);
            pids.add(pid(run(big.toString())));
        }
        closeWithFilesInFlight(pids); // loads the classes, whose jars and files then stay as they are
        int before = openDescriptors();
        Thread worker = closeWithFilesInFlight(pids);
        assertEquals(before, openDescriptors(), "descriptors open before the hasher and after its close");
        assertFalse(worker.isAlive(), "the worker thread ended");
    }

    /** The worker is stuck in a read (of a pipe nobody writes to) with jobs queued behind it: stop closes those. */
    @Test
    void stoppingTheWorkerClosesTheFilesItHadNotTaken() throws Exception {
        try (Arena arena = Arena.ofConfined(); EventFd signal = new EventFd("test")) {
            MemorySegment ends = arena.allocate(JAVA_INT, 2);
            Libc.PIPE2.call("test pipe", ends, OpenFlags.O_CLOEXEC);
            int readEnd = ends.getAtIndex(JAVA_INT, 0);
            int writeEnd = ends.getAtIndex(JAVA_INT, 1);
            HashWorker worker = new HashWorker(4, 1 << 20, signal);
            FileKey key = new FileKey(0, 0, 0, 0, 0);
            assertTrue(worker.submit(new HashJob(readEnd, key, "a pipe")));
            int first = open(arena, SLEEP);
            int second = open(arena, SLEEP);
            assertTrue(worker.submit(new HashJob(first, key, "queued 1")));
            assertTrue(worker.submit(new HashJob(second, key, "queued 2")));
            awaitReading(readEnd);

            assertFalse(worker.stop(100), "a read of an empty pipe does not end on interrupt");
            assertFalse(isOpen(first), "queued 1 closed");
            assertFalse(isOpen(second), "queued 2 closed");

            Libc.CLOSE.call("test pipe (write)", writeEnd); // the read ends, the worker sees the interrupt
            worker.thread().join(WAIT_MILLIS);
            assertFalse(worker.thread().isAlive(), "the worker ended");
            assertFalse(isOpen(readEnd), "the worker closed the file it was reading");
        }
    }

    /** Waits until the worker thread is in a read of {@code fd}, as its {@code /proc/self/task/TID/syscall} shows. */
    private static void awaitReading(int fd) throws IOException, InterruptedException {
        String reading = "0 0x" + Integer.toHexString(fd) + " ";
        for (long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000L; System.nanoTime() < deadline; ) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("comm")).startsWith("cellos-exec-has")
                                && Files.readString(task.resolve("syscall")).startsWith(reading)) {
                            return;
                        }
                    } catch (NoSuchFileException e) {
                        // a thread that ended while listed; only the worker matters, and it stays
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the worker thread did not come to read fd " + fd);
    }

    private Thread closeWithFilesInFlight(List<Integer> pids) throws ErrnoException {
        ExecutableHasher hasher = new ExecutableHasher(HashLimits.DEFAULT);
        for (int i = 0; i < pids.size(); i++) {
            assertNull(hasher.request(pids.get(i), null, i));
        }
        hasher.close();
        return hasher.workerThread();
    }

    /** Starts {@code path 60} and waits until it executes {@code path}. */
    private Process run(String path) throws IOException, InterruptedException {
        return start(List.of(path, "60"), Path.of(path).toRealPath().toString());
    }

    /** Starts {@code command} and waits until {@code /proc/PID/exe} starts with {@code exe}. */
    private Process start(List<String> command, String exe) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        processes.add(p);
        Path link = Path.of("/proc/" + p.pid() + "/exe");
        for (long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000L; System.nanoTime() < deadline; ) {
            try {
                if (Files.readSymbolicLink(link).toString().startsWith(exe)) {
                    return p;
                }
            } catch (IOException e) {
                assertTrue(p.isAlive(), command + " ended (" + e + ")");
            }
            Thread.sleep(5);
        }
        throw new AssertionError(command + " did not come to execute " + exe);
    }

    /** Waits on the hasher's fd as the agent's loop does, and drains until {@code n} answers have come, by token. */
    private static Map<Long, ExecutableHash> await(ExecutableHasher hasher, int n) throws ErrnoException {
        Map<Long, ExecutableHash> answers = new HashMap<>();
        try (Epoll epoll = new Epoll(1)) {
            epoll.add(hasher.fd(), Epoll.EPOLLIN, 0);
            while (answers.size() < n) {
                if (epoll.await(WAIT_MILLIS) == 0) {
                    fail("no answer came in " + WAIT_MILLIS + " ms; " + answers.size() + " of " + n + " had");
                }
                hasher.drain(a -> assertNull(answers.put(a.token(), a), "a second answer for " + a.token()));
            }
        }
        return answers;
    }

    private static String sha256sum(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sha256sum", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "sha256sum " + file + ": " + out);
        return out.substring(0, out.indexOf(' '));
    }

    private static int openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    private static boolean isOpen(int fd) {
        try (FileStat stat = new FileStat()) {
            return stat.of(fd) == 0;
        }
    }

    private static int open(Arena arena, Path file) throws ErrnoException {
        return (int) Libc.OPENAT.call(file.toString(), Libc.AT_FDCWD, arena.allocateFrom(file.toString()),
                OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
    }

    private static int pid(Process p) {
        return (int) p.pid();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
