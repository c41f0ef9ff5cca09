package io.cellos.telemetry.guest.probe.process;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.ProcFs;

import java.util.Arrays;

/**
 * Compares the processes {@code /proc} lists with those a {@link PidTable} holds: the whole of the
 * {@code /proc} walk, and the connector's resync after it lost events.
 *
 * <p>New processes are reported in the order they started, so that a parent is always reported
 * before its child (scope tracking needs the parent first); their parent pid is the one
 * {@code /proc} shows now, which is the reaper if the real parent has gone. A scan in which
 * nothing changed allocates nothing.
 *
 * <p>Confined to the loop thread; uses, but does not own, the {@link ProcFs} and the table.
 */
final class ProcScan {
    /** What a scan found changed. */
    interface Changes {
        /** A process the table did not hold is listed; it has been added to the table. */
        void appeared(int pid, int parent, String comm);

        /** A process the table holds is no longer listed; the receiver removes or marks its entry. */
        void vanished(int pid, String comm);
    }

    /** Start times are ordered with the index of the process in the low bits of one {@code long}. */
    private static final int INDEX_BITS = 24;

    private final ProcFs procFs;
    private final PidTable table;
    private int[] newPids = new int[64];
    private int[] newParents = new int[64];
    private String[] newComms = new String[64];
    private long[] startOrder = new long[64];
    private int[] gone = new int[64];

    ProcScan(ProcFs procFs, PidTable table) {
        this.procFs = procFs;
        this.table = table;
    }

    /** Puts every listed process in the table, reporting nothing: what was there before the probe. */
    void baseline() throws ErrnoException {
        int n = procFs.listProcesses();
        for (int i = 0; i < n; i++) {
            int pid = procFs.pid(i);
            String comm = procFs.comm(pid);
            if (comm != null) { // else it is gone already
                table.put(pid, comm);
            }
        }
    }

    /**
     * Lists {@code /proc}, adds what is new to the table and reports it, then reports what is gone.
     *
     * @throws ErrnoException if {@code /proc} cannot be listed
     */
    void diff(Changes changes) throws ErrnoException {
        table.newGeneration();
        int listed = procFs.listProcesses();
        int fresh = 0;
        for (int i = 0; i < listed && fresh < 1 << INDEX_BITS; i++) {
            int pid = procFs.pid(i);
            int slot = table.find(pid);
            if (slot >= 0) {
                table.see(slot);
            } else if (procFs.stat(pid)) {
                ensureFresh(fresh + 1);
                newPids[fresh] = pid;
                newParents[fresh] = procFs.statParent();
                newComms[fresh] = procFs.statComm();
                startOrder[fresh] = procFs.statStartTime() << INDEX_BITS | fresh;
                fresh++;
            }
        }
        Arrays.sort(startOrder, 0, fresh);
        for (int k = 0; k < fresh; k++) {
            int i = (int) (startOrder[k] & ((1 << INDEX_BITS) - 1));
            String comm = newComms[i];
            newComms[i] = null;
            table.put(newPids[i], comm);
            changes.appeared(newPids[i], newParents[i], comm);
        }
        int vanished = 0;
        for (int slot = 0; slot < table.slots(); slot++) {
            if (table.pidAt(slot) != 0 && !table.seen(slot)) {
                if (vanished == gone.length) {
                    gone = Arrays.copyOf(gone, vanished * 2);
                }
                gone[vanished++] = table.pidAt(slot);
            }
        }
        // reported after the sweep: the receiver's removals move entries between slots
        for (int k = 0; k < vanished; k++) {
            changes.vanished(gone[k], table.comm(table.find(gone[k])));
        }
    }

    private void ensureFresh(int n) {
        if (n > newPids.length) {
            int size = newPids.length * 2;
            newPids = Arrays.copyOf(newPids, size);
            newParents = Arrays.copyOf(newParents, size);
            newComms = Arrays.copyOf(newComms, size);
            startOrder = Arrays.copyOf(startOrder, size);
        }
    }
}
