package io.cellos.telemetry.guest.probe.file;

import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.guest.probe.RecordingOutput;
import io.cellos.telemetry.guest.probe.file.FanotifyWatchProbe.Reporting;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FanotifyWatchProbe} against real writers, in both of its reporting modes. */
class FanotifyWatchProbeTest extends WriterFixture {

    @ParameterizedTest
    @EnumSource(Reporting.class)
    void aFileWrittenInAWatchedDirectoryNamesTheWriterAndTheFile(Reporting reporting) throws Exception {
        Path dir = watchedDir();
        Path file = dir.resolve("out.txt");
        try (ProbeHarness h = ProbeHarness.start(new FanotifyWatchProbe(List.of(dir.toString()), reporting));
             NamedWriter writer = new NamedWriter(writerExe, file)) {
            writer.write("hello");
            ProbeEvent e = h.await(ev -> file.toString().equals(ev.extensions().path()), 1, PATIENCE).getFirst();
            assertEquals(ProbeSource.FS_INOTIFY_FIRED, e.source());
            assertEquals(writer.pid(), e.guestPid());
            assertEquals(NamedWriter.COMM, e.guestComm());
        }
    }

    @ParameterizedTest
    @EnumSource(Reporting.class)
    void aWatchedFileModifiedIsReportedWithItsPath(Reporting reporting) throws Exception {
        Path file = Files.writeString(tmp.resolve("declared.conf"), "a=1\n").toRealPath();
        try (ProbeHarness h = ProbeHarness.start(new FanotifyWatchProbe(List.of(file.toString()), reporting));
             NamedWriter writer = new NamedWriter(writerExe, file)) {
            writer.write("b=2");
            ProbeEvent e = h.await(ev -> ev.guestPid() == writer.pid(), 1, PATIENCE).getFirst();
            assertEquals(file.toString(), e.extensions().path());
            assertEquals(NamedWriter.COMM, e.guestComm());
        }
    }

    @Test
    void fileIdsAlsoSeeAttributesCreationOfDirectoriesAndDeletion() throws Exception {
        Path dir = watchedDir();
        Path file = Files.writeString(dir.resolve("victim"), "x");
        Path sub = dir.resolve("sub");
        try (ProbeHarness h = ProbeHarness.start(new FanotifyWatchProbe(List.of(dir.toString()), Reporting.FILE_IDS))) {
            for (List<String> command : List.of(List.of("chmod", "600", file.toString()), List.of("mkdir", sub.toString()),
                    List.of("rm", file.toString()))) {
                Process p = new ProcessBuilder(command).inheritIO().start();
                assertEquals(0, p.waitFor(), command::toString);
                Path touched = command.getFirst().equals("mkdir") ? sub : file;
                h.await(ev -> ev.guestPid() == p.pid() && touched.toString().equals(ev.extensions().path()), 1, PATIENCE);
            }
        }
    }

    @Test
    void fileDescriptorsDoNotSeeDeletion() throws Exception {
        Path dir = watchedDir();
        Path file = Files.writeString(dir.resolve("victim"), "x");
        Path marker = dir.resolve("marker");
        try (ProbeHarness h = ProbeHarness.start(
                new FanotifyWatchProbe(List.of(dir.toString()), Reporting.FILE_DESCRIPTORS))) {
            Process rm = new ProcessBuilder("rm", file.toString()).inheritIO().start();
            assertEquals(0, rm.waitFor());
            try (NamedWriter writer = new NamedWriter(writerExe, marker)) {
                writer.write("after the deletion");
                h.await(ev -> ev.guestPid() == writer.pid(), 1, PATIENCE);
            }
            assertTrue(h.events().stream().noneMatch(ev -> ev.guestPid() == rm.pid()), () -> "events: " + h.events());
        }
    }

    @ParameterizedTest
    @EnumSource(Reporting.class)
    void theAgentsOwnChangesAreNotReported(Reporting reporting) throws Exception {
        Path dir = watchedDir();
        Path other = dir.resolve("other.txt");
        try (ProbeHarness h = ProbeHarness.start(new FanotifyWatchProbe(List.of(dir.toString()), reporting))) {
            Files.writeString(dir.resolve("self.txt"), "written by the agent itself");
            try (NamedWriter writer = new NamedWriter(writerExe, other)) {
                writer.write("written by another process");
                // the kernel queues events in order: the agent's own came first, and are already handled
                h.await(ev -> other.toString().equals(ev.extensions().path()), 1, PATIENCE);
            }
            long self = ProcessHandle.current().pid();
            assertTrue(h.events().stream().noneMatch(ev -> ev.guestPid() == self), () -> "own events: " + h.events());
        }
    }

    @ParameterizedTest
    @EnumSource(Reporting.class)
    void changesByProcessesOutOfScopeAreNotReported(Reporting reporting) throws Exception {
        Path dir = watchedDir();
        Path outside = Files.createFile(dir.resolve("outside.txt"));
        Path inside = Files.createFile(dir.resolve("inside.txt"));
        Set<Long> scope = ConcurrentHashMap.newKeySet();
        try (ProbeHarness h = ProbeHarness.start(new FanotifyWatchProbe(List.of(dir.toString()), reporting),
                pid -> scope.contains((long) pid));
             NamedWriter in = new NamedWriter(writerExe, inside)) {
            scope.add(in.pid());
            long outsider;
            try (NamedWriter out = new NamedWriter(writerExe, outside)) {
                outsider = out.pid();
                out.write("not declared");
            }
            in.write("declared");
            h.await(ev -> ev.guestPid() == in.pid(), 1, PATIENCE);
            assertTrue(h.events().stream().noneMatch(ev -> ev.guestPid() == outsider), () -> "events: " + h.events());
        }
    }

    @ParameterizedTest
    @EnumSource(Reporting.class)
    void aQueueOverflowIsCountedAsLost(Reporting reporting, @TempDir(factory = TmpfsTempDir.class) Path shm)
            throws Exception {
        Path dir = shm.toRealPath();
        // a sysctl answers only a read at offset 0, and Files.readString reads a 0-size file in pieces
        int queue = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/fanotify/max_queued_events")).getFirst());
        RecordingOutput out = new RecordingOutput();
        try (FanotifyWatchProbe probe = new FanotifyWatchProbe(List.of(dir.toString()), reporting)) {
            probe.arm();
            // nobody reads while the files are made: each closed after opening for writing is a queued event
            FileStorm.create(dir, queue + 1);
            probe.onReadable(out);
        }
        assertTrue(out.lost >= 1, "lost " + out.lost + " after " + out.events.size() + " events");
        assertTrue(out.events.size() <= queue, out.events.size() + " events from a queue of " + queue);
    }
}
