package io.cellos.telemetry.guest.probe.process;

/**
 * What a process probe knows of each live process: its pid, its last known comm ({@code null}
 * when unknown), marks, and the scan generation that last saw it in {@code /proc}.
 *
 * <p>An open-addressing table over primitive arrays (linear probing, deletion by backward shift):
 * lookups and updates on the event path allocate nothing. It grows by doubling up to a bound, and
 * past that refuses new entries rather than grow without limit; a process it could not hold is
 * still declared, only its comm is not remembered for its exit.
 *
 * <p>Confined to the loop thread. Slots are valid until the next {@link #put} or {@link #remove}.
 */
final class PidTable {
    /**
     * The connector's resync declared this process spawned: its fork event, if it was still queued
     * (stamped before the resync, {@link #markedAt}), is not declared again.
     */
    static final int DECLARED_SPAWN = 1;
    /**
     * The connector's resync declared this process exited: its exit event, if it was still queued
     * (stamped before the resync), is not declared again.
     */
    static final int DECLARED_EXIT = 2;

    private final int maxCapacity;
    private int[] pids;
    private String[] comms;
    private byte[] marks;
    private long[] markedAt;
    private int[] seen;
    private int mask;
    private int size;
    private int generation;

    /** @param maxProcesses the most processes it holds */
    PidTable(int maxProcesses) {
        maxCapacity = Integer.highestOneBit(Math.max(16, maxProcesses * 2 - 1)) << 1;
        allocate(Math.min(1024, maxCapacity));
    }

    /** The slot of {@code pid}, or -1. */
    int find(int pid) {
        for (int i = home(pid); ; i = (i + 1) & mask) {
            if (pids[i] == pid) {
                return i;
            }
            if (pids[i] == 0) {
                return -1;
            }
        }
    }

    /**
     * Records {@code pid} with {@code comm}, clearing its marks and counting it seen in the current
     * generation.
     *
     * @return its slot, or -1 if the table is full
     */
    int put(int pid, String comm) {
        int slot = find(pid);
        if (slot < 0) {
            if (size + 1 > pids.length / 2 && !grow()) {
                return -1;
            }
            slot = home(pid);
            while (pids[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            pids[slot] = pid;
            size++;
        }
        comms[slot] = comm;
        marks[slot] = 0;
        seen[slot] = generation;
        return slot;
    }

    /** Forgets the process at {@code slot}. */
    void remove(int slot) {
        int hole = slot;
        for (int i = (slot + 1) & mask; pids[i] != 0; i = (i + 1) & mask) {
            int home = home(pids[i]);
            // an entry may move back into the hole only if its home is not cyclically in (hole, i]
            boolean stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (!stays) {
                pids[hole] = pids[i];
                comms[hole] = comms[i];
                marks[hole] = marks[i];
                markedAt[hole] = markedAt[i];
                seen[hole] = seen[i];
                hole = i;
            }
        }
        pids[hole] = 0;
        comms[hole] = null;
        size--;
    }

    String comm(int slot) {
        return comms[slot];
    }

    void comm(int slot, String comm) {
        comms[slot] = comm;
    }

    boolean marked(int slot, int mark) {
        return (marks[slot] & mark) != 0;
    }

    /** Marks {@code slot} as of {@code nanos}, the time of the resync ({@code CLOCK_MONOTONIC}). */
    void mark(int slot, int mark, long nanos) {
        marks[slot] |= (byte) mark;
        markedAt[slot] = nanos;
    }

    /** When {@code slot} was last {@linkplain #mark marked}. */
    long markedAt(int slot) {
        return markedAt[slot];
    }

    /** Starts a scan: from now until the next call, {@link #seen} says whether a process was seen. */
    void newGeneration() {
        generation++;
    }

    void see(int slot) {
        seen[slot] = generation;
    }

    boolean seen(int slot) {
        return seen[slot] == generation;
    }

    /** The number of slots, for iterating with {@link #pidAt}. */
    int slots() {
        return pids.length;
    }

    /** The pid in {@code slot}, or 0 for an empty slot (0 is never a process). */
    int pidAt(int slot) {
        return pids[slot];
    }

    int size() {
        return size;
    }

    private int home(int pid) {
        return (pid * 0x9E3779B9) >>> 7 & mask;
    }

    private boolean grow() {
        if (pids.length >= maxCapacity) {
            return false;
        }
        int[] oldPids = pids;
        String[] oldComms = comms;
        byte[] oldMarks = marks;
        long[] oldMarkedAt = markedAt;
        int[] oldSeen = seen;
        allocate(pids.length * 2);
        for (int i = 0; i < oldPids.length; i++) {
            if (oldPids[i] != 0) {
                int slot = home(oldPids[i]);
                while (pids[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                pids[slot] = oldPids[i];
                comms[slot] = oldComms[i];
                marks[slot] = oldMarks[i];
                markedAt[slot] = oldMarkedAt[i];
                seen[slot] = oldSeen[i];
            }
        }
        return true;
    }

    private void allocate(int capacity) {
        pids = new int[capacity];
        comms = new String[capacity];
        marks = new byte[capacity];
        markedAt = new long[capacity];
        seen = new int[capacity];
        mask = capacity - 1;
    }
}
