package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadStatusTest {
    @Test
    void theEffectiveUidIsTheSecondOfFourAndTheMaskIsHex() throws IOException {
        ThreadStatus s = ThreadStatus.parse("Name:\tjava\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
                + "SigPnd:\t0000000000000000\nSigBlk:\t0000000000014002\nSigIgn:\t0000000000000000\n");
        assertEquals(0, s.effectiveUid());
        assertTrue(s.blocks(Signals.SIGINT));
        assertTrue(s.blocks(Signals.SIGTERM));
        assertTrue(s.blocks(Signals.SIGCHLD));
        assertFalse(s.blocks(Signals.SIGHUP));
        assertTrue(ThreadStatus.parse("Uid:\t0\t0\t0\t0\nSigBlk:\tffffffffffffffff\n").blocks(64));
    }

    @Test
    void aMissingOrMalformedLineIsAnErrorThatNamesIt() {
        assertTrue(assertThrows(IOException.class, () -> ThreadStatus.parse("SigBlk:\t0\n")).getMessage()
                .contains("no Uid: line"));
        assertTrue(assertThrows(IOException.class, () -> ThreadStatus.parse("Uid:\t0\t0\t0\t0\n")).getMessage()
                .contains("no SigBlk: line"));
        assertTrue(assertThrows(IOException.class, () -> ThreadStatus.parse("Uid:\t0\nSigBlk:\t0\n")).getMessage()
                .contains("cannot read"));
        assertTrue(assertThrows(IOException.class, () -> ThreadStatus.parse("Uid:\t0\t0\t0\t0\nSigBlk:\tzz\n"))
                .getMessage().contains("cannot read"));
        assertThrows(IllegalArgumentException.class, () -> new ThreadStatus(0, 0).blocks(0));
    }

    @Test
    void theRunningThreadIsReadAsTheKernelSeesIt() throws IOException {
        ThreadStatus s = ThreadStatus.ofThisThread();
        assertEquals(Processes.geteuid(), s.effectiveUid());
    }
}
