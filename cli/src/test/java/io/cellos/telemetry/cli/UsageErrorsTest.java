package io.cellos.telemetry.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every input a person can get wrong is a usage error: exit status 2 and one line that names the
 * option, the value and the fix, never an exception's name. Each case fails before anything starts.
 */
class UsageErrorsTest {
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
    }
}
