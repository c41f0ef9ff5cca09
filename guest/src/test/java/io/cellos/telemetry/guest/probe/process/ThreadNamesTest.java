package io.cellos.telemetry.guest.probe.process;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ThreadNamesTest {
    @Test
    void aNameIsKeptUntilItsThreadEndsOrMessagesWereLost() {
        ThreadNames names = new ThreadNames();
        names.renamed(101, "worker");
        names.renamed(101, "worker-2");
        names.renamed(102, "other");
        assertEquals("worker-2", names.of(101), "the latest name");
        names.forget(101);
        assertNull(names.of(101));
        assertEquals("other", names.of(102));
        names.clear();
        assertNull(names.of(102));
    }

    @Test
    void beyondTheBoundNoNewNameIsKeptButKnownThreadsAreRenamed() {
        ThreadNames names = new ThreadNames();
        for (int tid = 1; tid <= ThreadNames.MAX; tid++) {
            names.renamed(tid, "t" + tid);
        }
        names.renamed(ThreadNames.MAX + 1, "one too many");
        assertNull(names.of(ThreadNames.MAX + 1));
        names.renamed(7, "renamed");
        assertEquals("renamed", names.of(7));
        names.forget(8);
        names.renamed(ThreadNames.MAX + 1, "room again");
        assertEquals("room again", names.of(ThreadNames.MAX + 1));
    }
}
