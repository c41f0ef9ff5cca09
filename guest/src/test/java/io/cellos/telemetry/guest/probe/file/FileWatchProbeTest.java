package io.cellos.telemetry.guest.probe.file;

import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.guest.probe.file.FanotifyWatchProbe.Reporting;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mechanism choice, and what every mechanism must do: refuse a missing path, leak no fd. */
class FileWatchProbeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String AGENT_COMM = "cellos-agent";

    @TempDir
    Path tmp;

    static Stream<Arguments> mechanisms() {
        return Stream.of(
                Arguments.of("chosen", (Function<List<String>, Probe>) paths -> new FileWatchProbe(paths, AGENT_COMM)),
                Arguments.of("fanotify file ids",
                        (Function<List<String>, Probe>) paths -> new FanotifyWatchProbe(paths, Reporting.FILE_IDS)),
                Arguments.of("fanotify file descriptors",
                        (Function<List<String>, Probe>) paths -> new FanotifyWatchProbe(paths, Reporting.FILE_DESCRIPTORS)),
                Arguments.of("inotify", (Function<List<String>, Probe>) paths -> new InotifyWatchProbe(paths, AGENT_COMM)));
    }

    @Test
    void choosesFanotifyReportingFileIdsWhereTheKernelHasIt() throws Exception {
        try (FileWatchProbe probe = new FileWatchProbe(List.of(tmp.toString()), AGENT_COMM)) {
            probe.arm();
            assertEquals("declared files (fanotify reporting file ids) on 1 path(s)", probe.description());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mechanisms")
    void armingAMissingPathFailsNamingThePathAndTheErrno(String mechanism, Function<List<String>, Probe> probe) {
        String missing = tmp.resolve("no-such-dir").toString();
        Probe p = probe.apply(List.of(tmp.toString(), missing));
        WatchPathException e = assertThrows(WatchPathException.class, () -> ProbeHarness.start(p));
        assertEquals(missing, e.path());
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains(missing) && e.getMessage().contains("ENOENT"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mechanisms")
    void noFdIsLeftOpenAfter200Events(String mechanism, Function<List<String>, Probe> probe) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("watched")).toRealPath();
        round(probe, dir, "warm-up", 1); // loads every class the round needs, so the JVM opens nothing new later
        long before = openFds();
        round(probe, dir, "round", 200);
        List<String> targets = fdTargets();
        assertEquals(before, openFds(), () -> "fds now: " + targets);
        assertTrue(targets.stream().noneMatch(t -> t.contains(" -> " + dir)), () -> "fds now: " + targets);
    }

    /** The mechanisms that see a declared path stop naming what they watch (fd mode cannot: no such events). */
    static Stream<Arguments> seeingMechanisms() {
        return mechanisms().filter(a -> !a.get()[0].equals("fanotify file descriptors"));
    }

    /**
     * Renaming a directory above a declared path, then deleting the declared object, each by another
     * process: each is declared as tampering (the process named where the mechanism says who), and a
     * mechanism that sees the deletion still reports it as a file event.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("seeingMechanisms")
    void aDeclaredPathThatStopsNamingWhatIsWatchedIsDeclared(String mechanism, Function<List<String>, Probe> probe)
            throws Exception {
        Path above = Files.createDirectories(tmp.resolve("a/b")).toRealPath();
        Path declared = Files.createDirectory(above.resolve("watched"));
        try (ProbeHarness h = ProbeHarness.start(probe.apply(List.of(declared.toString())))) {
            Process mv = new ProcessBuilder("mv", above.getParent().toString(), tmp.resolve("a.old").toString()).start();
            assertEquals(0, mv.waitFor());
            var moved = h.await(e -> e.source() == ProbeSource.AGENT_TAMPERED, 1, PATIENCE).getFirst();
            assertEquals(above.getParent() + ", above watched path " + declared
                    + ", moved: the watched path no longer names what is watched", moved.extensions().what());
            if (mechanism.startsWith("fanotify") || mechanism.equals("chosen")) {
                assertEquals(mv.pid(), moved.guestPid(), "fanotify names who did it");
            }

            Process rm = new ProcessBuilder("rm", "-r", tmp.resolve("a.old").toString()).start();
            assertEquals(0, rm.waitFor());
            var deleted = h.await(e -> e.source() == ProbeSource.AGENT_TAMPERED
                    && e.extensions().what().startsWith("watched path"), 1, PATIENCE).getFirst();
            assertEquals("watched path " + declared + " deleted: what is made there again is not watched",
                    deleted.extensions().what());
        }
    }

    /** Creates {@code count} files in {@code dir} with a probe armed, waits for each, then stops the probe. */
    private static void round(Function<List<String>, Probe> probe, Path dir, String prefix, int count) throws Exception {
        Path round = Files.createDirectory(dir.resolve(prefix));
        try (ProbeHarness h = ProbeHarness.start(probe.apply(List.of(round.toString())))) {
            FileStorm.create(round, count);
            for (int i = 0; i < count; i++) {
                String path = round.resolve("f" + i).toString();
                h.await(ev -> path.equals(ev.extensions().path()), 1, PATIENCE);
            }
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static List<String> fdTargets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return fd.getFileName() + " -> " + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    return fd.getFileName() + " (closed while listing)";
                }
            }).toList();
        }
    }
}
