package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Bpf;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** The machine's loaded eBPF programs, by id: what a probe's tests count before, during and after it. */
final class LoadedPrograms {
    private LoadedPrograms() {
    }

    /** The ids of every program loaded now, machine-wide. */
    static Set<Integer> ids() throws Exception {
        Set<Integer> ids = new HashSet<>();
        for (int id = Bpf.nextProgramId(0); id >= 0; id = Bpf.nextProgramId(id)) {
            ids.add(id);
        }
        return ids;
    }

    /** Those of {@code ids} still loaded once they are all gone, or {@code patience} has passed. */
    static Set<Integer> leftOf(Set<Integer> ids, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        Set<Integer> left;
        do {
            left = ids();
            left.retainAll(ids);
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(10); // the kernel frees a detached program after an RCU grace period
        } while (System.nanoTime() < deadline);
        return left;
    }
}
