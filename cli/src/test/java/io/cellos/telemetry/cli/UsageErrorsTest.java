package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.CapturingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every input a person can get wrong is a usage error: exit status 2 and one line that names the
 * option, the value and the fix, never an exception's name. Each case fails before anything starts.
 */
class UsageErrorsTest {
    @TempDir
    Path tmp;

    /** Runs {@code args} and checks for a usage error whose message holds every one of {@code parts}. */
    static Run refused(String[] args, String... parts) {
        Run r = Run.of("", args);
        assertEquals(2, r.status(), String.join(" ", args) + ": " + r);
        for (String p : parts) {
            assertTrue(r.err().contains(p), String.join(" ", args) + ": the message lacks '" + p + "': " + r.err());
        }
        assertFalse(r.err().contains("Exception") || r.err().contains("CELLOS_DEBUG"), r.err());
        return r;
    }

    static String[] args(String... a) {
        return a;
    }

    @Test
    void durationsMustBeLongerThanZeroAndFitInNanoseconds() {
        refused(args("cell", "run", "--keepalive", "0s", "--", "true"), "--keepalive 0s is no time at all",
                "e.g. 10s");
        refused(args("demo", "--keepalive", "0ms"), "--keepalive 0ms is no time at all");
        refused(args("host", "listen", "--uds", "/nonexistent/c", "--cell-id", "c", "--run-id", "r", "--keepalive",
                "0s"), "--keepalive 0s is no time at all");
        refused(args("host", "listen", "--uds", "/nonexistent/c", "--cell-id", "c", "--run-id", "r", "--keepalive",
                "999999999d"), "--keepalive: '999999999d' is too long; the longest duration is 106751d");
        refused(args("cell", "run", "--keepalive", "10", "--", "true"), "--keepalive: '10' is not a duration",
                "write e.g. 500ms");
        refused(args("agent", "--heartbeat", "0s"), "--heartbeat 0s is no time at all", "e.g. 2s");
    }

    @Test
    void emptyValuesAreRefusedWhereTheyMeanNothing() {
        refused(args("cell", "run", "--dir", "", "--", "true"), "--dir is given an empty value");
        refused(args("host", "listen", "--uds", "", "--cell-id", "c", "--run-id", "r"), "--uds is given an empty value");
        refused(args("agent", "--watch="), "--watch is given an empty value");
        refused(args("init", "--hold", "", "--", "true"), "--hold is given an empty value");
        refused(args("frame", "send", "--to", ""), "--to is given an empty value");
        Run emptyComm = Run.of("", "frame", "encode", "--source", "process.spawned", "--pid", "1", "--comm", "",
                "--mono", "1");
        assertEquals(0, emptyComm.status(), "an empty comm is a valid frame, and the kernel's too: " + emptyComm);
    }

    @Test
    void anOptionThatIsNotRepeatableIsRefusedTwice() {
        refused(args("cell", "run", "--dir", "/tmp/a", "--dir", "/tmp/b", "--", "true"), "--dir given 2 times; give it once");
        refused(args("host", "listen", "--uds", "a", "--uds", "b", "--cell-id", "c", "--run-id", "r"),
                "--uds given 2 times");
        refused(args("agent", "--scope-root", "1", "--scope-root", "2"), "--scope-root given 2 times");
        refused(args("events", "keygen", "--alg", "ed25519", "--alg", "ed25519"), "--alg given 2 times");
        refused(args("frame", "decode", "--binary", "--binary"), "--binary given twice; give it once");
    }

    @Test
    void aFileWhereADirectoryBelongsAndViceVersa() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        refused(args("cell", "run", "--dir", file.toString(), "--", "true"),
                "--dir " + file + " is a regular file, not a directory; give a directory");
        refused(args("demo", "--dir", file.toString()), "--dir " + file + " is a regular file, not a directory");
        refused(args("cell", "run", "--dir", file + "/sub", "--", "true"), "--dir " + file + "/sub cannot be made");
        Path deep = tmp.resolve("d".repeat(100));
        refused(args("cell", "run", "--dir", deep.toString(), "--", "true"), "--dir " + deep
                + " is too long for the cell's sockets: " + deep.resolve("cell.vsock_9001"), "give a shorter --dir");
        assertFalse(Files.exists(deep), "a refused --dir is not made");
        refused(args("cell", "run", "--out", tmp.toString(), "--", "true"),
                "--out " + tmp + " is a directory; give a file, e.g. " + tmp.resolve("events.jsonl"));
        refused(args("cell", "run", "--out", file + "/events.jsonl", "--", "true"),
                "cannot be made: " + file + " is a regular file, not a directory");
        refused(args("host", "listen", "--uds", tmp.resolve("c").toString(), "--cell-id", "c", "--run-id", "r", "--out",
                tmp.toString()), "--out " + tmp + " is a directory");
        refused(args("host", "listen", "--uds", tmp.resolve("none/c").toString(), "--cell-id", "c", "--run-id", "r"),
                "--uds " + tmp.resolve("none/c") + ": cannot listen on", "directory " + tmp.resolve("none")
                        + " does not exist");
        Files.writeString(tmp.resolve("f_9001"), "x");
        refused(args("host", "listen", "--uds", tmp.resolve("f").toString(), "--cell-id", "c", "--run-id", "r"),
                "a file that is not a socket is in the way");
        Path key = Files.writeString(tmp.resolve("key"), "A".repeat(43)); // 32 bytes, base64url
        refused(args("events", "verify", tmp.toString(), "--alg", "hmac-sha256", "--key-file", key.toString()),
                "FILE " + tmp + " is a directory; give a file");
        refused(args("events", "verify", "--alg", "hmac-sha256", "--key-file", tmp.toString()),
                "--key-file " + tmp + " is a directory; give a file");
        refused(args("events", "verify", "--alg", "hmac-sha256", "--key-file", tmp.resolve("none").toString()),
                "--key-file " + tmp.resolve("none") + ": no such file");
        refused(args("init", "--hold", file.toString(), "--", "true"),
                "--hold " + file + " is a regular file, not a FIFO; give a FIFO made with mkfifo");
        refused(args("init", "--hold", tmp.toString(), "--", "true"), "--hold " + tmp + " is a directory, not a FIFO");
        refused(args("init", "--hold", tmp.resolve("none").toString(), "--", "true"), "is missing, not a FIFO");
    }

    @Test
    void aDirectoryOrSocketOfALiveCellIsRefused() throws Exception {
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults(), new CapturingSink(), System.err);
             CellHandle live = receiver.bind(tmp.resolve(LocalCell.SOCKET_BASE), new CellStamp("c", "r", null))) {
            refused(args("cell", "run", "--dir", tmp.toString(), "--", "true"), "--dir " + tmp
                    + " is in use by a running cell: a receiver listens on " + live.socketPath(),
                    "stop that cell, or give another --dir");
            refused(args("demo", "--dir", tmp.toString()), "is in use by a running cell");
            refused(args("host", "listen", "--uds", tmp.resolve(LocalCell.SOCKET_BASE).toString(), "--cell-id", "c",
                    "--run-id", "r2"), "another listener is serving it");
            assertEquals(0, live.stats().connections(), "a refused command connected to the live cell");
        }
    }
}
