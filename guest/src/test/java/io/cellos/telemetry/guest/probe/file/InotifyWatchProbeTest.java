package io.cellos.telemetry.guest.probe.file;

import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.guest.probe.RecordingOutput;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link InotifyWatchProbe}, the fallback: right paths, and the agent named as the actor. */
class InotifyWatchProbeTest extends WriterFixture {
    private static final String AGENT_COMM = "cellos-agent";

    @Test
    void aFileWrittenInAWatchedDirectoryIsReportedWithItsPathAndTheAgentAsTheActor() throws Exception {
        Path dir = watchedDir();
        Path file = dir.resolve("out.txt");
        try (ProbeHarness h = ProbeHarness.start(new InotifyWatchProbe(List.of(dir.toString()), AGENT_COMM));
             NamedWriter writer = new NamedWriter(writerExe, file)) {
            writer.write("hello");
            ProbeEvent e = h.await(ev -> file.toString().equals(ev.extensions().path()), 1, PATIENCE).getFirst();
            assertEquals(ProbeSource.FS_INOTIFY_FIRED, e.source());
            assertEquals(ProcessHandle.current().pid(), e.guestPid());
            assertEquals(AGENT_COMM, e.guestComm());
        }
    }

    @Test
    void aWatchedFileModifiedIsReportedWithItsPath() throws Exception {
        Path file = Files.writeString(tmp.resolve("declared.conf"), "a=1\n").toRealPath();
        try (ProbeHarness h = ProbeHarness.start(new InotifyWatchProbe(List.of(file.toString()), AGENT_COMM));
             NamedWriter writer = new NamedWriter(writerExe, file)) {
            writer.write("b=2");
            h.await(ev -> file.toString().equals(ev.extensions().path()), 1, PATIENCE);
        }
    }

    @Test
    void eachRecordIsOneEvent() throws Exception {
        Path dir = watchedDir();
        try (ProbeHarness h = ProbeHarness.start(new InotifyWatchProbe(List.of(dir.toString()), AGENT_COMM))) {
            FileStorm.create(dir, 3);
            // each file is two records, IN_CREATE then IN_CLOSE_WRITE, and one read may return all six
            for (int i = 0; i < 3; i++) {
                String path = dir.resolve("f" + i).toString();
                h.await(ev -> path.equals(ev.extensions().path()), 2, PATIENCE);
            }
            h.close(); // the probe reads what is left, and stops: the count is final
            for (int i = 0; i < 3; i++) {
                String path = dir.resolve("f" + i).toString();
                assertEquals(2, h.events().stream().filter(ev -> path.equals(ev.extensions().path())).count(),
                        "two records of " + path + ", two events: " + h.events());
            }
        }
    }

    @Test
    void aQueueOverflowIsCountedAsLost(@TempDir(factory = TmpfsTempDir.class) Path shm) throws Exception {
        Path dir = shm.toRealPath();
        // a sysctl answers only a read at offset 0, and Files.readString reads a 0-size file in pieces
        int queue = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).getFirst());
        RecordingOutput out = new RecordingOutput();
        try (InotifyWatchProbe probe = new InotifyWatchProbe(List.of(dir.toString()), AGENT_COMM)) {
            probe.arm();
            // nobody reads while the files are made: each is two queued records
            FileStorm.create(dir, queue);
            probe.onReadable(out);
        }
        assertTrue(out.lost >= 1, "lost " + out.lost + " after " + out.events.size() + " events");
    }
}
