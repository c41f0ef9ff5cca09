package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Bpf;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.probe.Probe;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The machine's loaded eBPF programs and links, by id: what a probe's tests count before, during and after it. */
final class LoadedPrograms {
    private LoadedPrograms() {
    }

    /** A walk over the kernel's ids of one kind of object: {@link Bpf#nextProgramId} or {@link Bpf#nextLinkId}. */
    private interface NextId {
        int after(int id) throws ErrnoException;
    }

    /**
     * Arms {@code probe}, asserts that it loaded at least {@code programs} programs and made at least
     * {@code links} links, closes it and asserts that every one of them is gone within {@code patience}.
     */
    static void assertCloseUnloadsWhatArmLoaded(Probe probe, int programs, int links, Duration patience) throws Exception {
        Set<Integer> programsBefore = ids(Bpf::nextProgramId);
        Set<Integer> linksBefore = ids(Bpf::nextLinkId);
        Set<Integer> loaded;
        Set<Integer> linked;
        try (probe) {
            probe.arm();
            loaded = ids(Bpf::nextProgramId);
            loaded.removeAll(programsBefore);
            linked = ids(Bpf::nextLinkId);
            linked.removeAll(linksBefore);
            assertTrue(loaded.size() >= programs && linked.size() >= links, "at least " + programs + " programs and "
                    + links + " links made: " + loaded + ", " + linked);
        }
        long deadline = System.nanoTime() + patience.toNanos();
        Set<Integer> left;
        do {
            left = ids(Bpf::nextProgramId);
            left.retainAll(loaded);
            Set<Integer> linksLeft = ids(Bpf::nextLinkId);
            linksLeft.retainAll(linked);
            left.addAll(linksLeft);
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(10); // the kernel frees a detached program after an RCU grace period
        } while (System.nanoTime() < deadline);
        assertEquals(Set.of(), left, "programs or links left after close");
    }

    private static Set<Integer> ids(NextId next) throws ErrnoException {
        Set<Integer> ids = new HashSet<>();
        for (int id = next.after(0); id >= 0; id = next.after(id)) {
            ids.add(id);
        }
        return ids;
    }
}
