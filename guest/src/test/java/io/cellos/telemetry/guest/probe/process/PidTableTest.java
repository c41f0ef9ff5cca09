package io.cellos.telemetry.guest.probe.process;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PidTableTest {
    @Test
    void behavesLikeAMapThroughGrowthAndRemovals() {
        PidTable t = new PidTable(1 << 14);
        Map<Integer, String> model = new HashMap<>();
        Random r = new Random(42);
        for (int step = 0; step < 200_000; step++) {
            // pids from a small range collide and wrap around the table's end
            int pid = 1 + r.nextInt(step < 100_000 ? 3000 : 20_000);
            if (r.nextInt(3) == 0) {
                int slot = t.find(pid);
                assertEquals(model.containsKey(pid), slot >= 0, "pid " + pid + " at step " + step);
                if (slot >= 0) {
                    t.remove(slot);
                    model.remove(pid);
                }
            } else {
                String comm = "c" + step;
                assertTrue(t.put(pid, comm) >= 0);
                model.put(pid, comm);
            }
            assertEquals(model.size(), t.size());
        }
        model.forEach((pid, comm) -> assertEquals(comm, t.comm(t.find(pid))));
        int listed = 0;
        for (int slot = 0; slot < t.slots(); slot++) {
            if (t.pidAt(slot) != 0) {
                listed++;
                assertTrue(model.containsKey(t.pidAt(slot)));
            }
        }
        assertEquals(model.size(), listed);
    }

    @Test
    void refusesNewProcessesPastItsBoundButStillUpdatesKnownOnes() {
        PidTable t = new PidTable(100);
        int held = 0;
        for (int pid = 1; t.put(pid, "p") >= 0; pid++) {
            held++;
        }
        assertTrue(held >= 100, "holds at least its bound, held " + held);
        assertTrue(t.put(1, "renamed") >= 0);
        assertEquals("renamed", t.comm(t.find(1)));
    }

    @Test
    void marksAndGenerations() {
        PidTable t = new PidTable(16);
        int slot = t.put(7, "x");
        t.mark(slot, PidTable.DECLARED_SPAWN, 5);
        assertEquals(5, t.markedAt(slot));
        assertTrue(t.marked(slot, PidTable.DECLARED_SPAWN));
        assertFalse(t.marked(slot, PidTable.DECLARED_EXIT));
        t.mark(slot, PidTable.DECLARED_EXIT, 6);
        assertFalse(t.marked(t.put(7, "y"), PidTable.DECLARED_EXIT), "a new process under the pid starts unmarked");

        t.newGeneration();
        assertFalse(t.seen(t.find(7)));
        t.see(t.find(7));
        assertTrue(t.seen(t.find(7)));
    }
}
