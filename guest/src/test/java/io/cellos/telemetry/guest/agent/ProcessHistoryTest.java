package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.exec.FileKey;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ProcessHistoryTest {
    private final ProcessHistory h = new ProcessHistory(16, ProcessScope.everything());

    @Test
    void anExecRecordReadBeforeTheForkKeepsItsName() {
        h.execNamed(7, "cp");
        h.forked(1, 7, "sh", 100);
        h.execed(7, null, 110, null); // the connector found the process gone
        assertEquals("cp", h.nameOf(7), "the fork's name is the parent's; the exec's is the process's own");
    }

    @Test
    void anExecThatCouldNotBeReadForgetsTheForkName() {
        h.forked(1, 7, "sh", 100);
        assertEquals("sh", h.nameOf(7));
        h.execed(7, null, 110, null);
        assertNull(h.nameOf(7), "the fork name is no longer the process's: wait for audit's");
        h.execNamed(7, "tee");
        assertEquals("tee", h.nameOf(7));
    }

    @Test
    void aForkAfterAnEndIsANewProcess() {
        h.execNamed(7, "cp");
        h.forked(1, 7, "sh", 100);
        h.ended(7);
        assertEquals("cp", h.nameOf(7), "known after the end");
        h.forked(1, 7, "make", 900);
        assertEquals("make", h.nameOf(7), "the pid was reused");
        assertEquals(900, h.notBeforeBirth(7, 50));
    }

    @Test
    void theFileAnExecRanIsKeptForThatExecAloneAndAfterTheEnd() throws java.io.IOException {
        FileKey ran = new FileKey(65024, 5, 6, 7, 8);
        h.forked(1, 7, "sh", 100);
        h.execed(7, "true", 110, ran);
        h.ended(7);
        assertNull(h.takeExecutedFile(7, 111), "another exec's stamp");
        assertEquals(ran, h.takeExecutedFile(7, 110), "the exec at 110, its process gone");
        assertNull(h.takeExecutedFile(7, 110), "given once");
        h.execed(7, "true", 115, ran);
        h.execed(7, "sleep", 120, null);
        assertNull(h.takeExecutedFile(7, 115), "exec'd since: the earlier file is forgotten");
        assertNull(h.takeExecutedFile(7, 120), "the probe did not say");
        assertNull(h.takeExecutedFile(8, 110), "an unknown process");

        ProcessHistory scoped = new ProcessHistory(16, ProcessScope.tree(Integer.MAX_VALUE - 1)); // a tree of no process
        scoped.execed(9, "true", 130, ran);
        assertNull(scoped.takeExecutedFile(9, 130), "out of scope: not kept, its hash is never asked for");
    }

    @Test
    void anAuditExecTakesTheConnectorsStampOfTheSameExecInOrder() {
        h.forked(1, 7, "sh", 100);
        h.execed(7, null, 110, null);
        h.execed(7, null, 120, null); // a script's interpreter exec'd again before audit's first record came
        assertEquals(110, h.claimExec(7, 95), "the first exec's exact stamp, not audit's early one");
        assertEquals(120, h.claimExec(7, 96), "nothing left to claim: audit's stamp raised to the newest known");
        assertEquals(130, h.claimExec(7, 130), "a later audit stamp stays");
        assertEquals(42, h.claimExec(8, 42), "an unknown process keeps audit's stamp");
    }

    @Test
    void nothingAProcessDidIsDatedBeforeItsBirth() {
        h.forked(1, 7, "sh", 100);
        assertEquals(100, h.notBeforeBirth(7, 97));
        assertEquals(105, h.notBeforeBirth(7, 105));
    }

    @Test
    void boundedTheLeastRecentlyToldGoFirst() {
        for (int pid = 1; pid <= 17; pid++) {
            h.forked(1, pid, "p" + pid, pid);
        }
        assertNull(h.nameOf(1));
        assertEquals("p17", h.nameOf(17));
    }
}
