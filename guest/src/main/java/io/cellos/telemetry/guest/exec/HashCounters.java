package io.cellos.telemetry.guest.exec;

/**
 * How many answers {@link ExecutableHasher} gave, by {@link HashOutcome}: files hashed, answers
 * from the cache, refusals. For the agent's summary.
 *
 * <p>Written and read on the loop thread.
 */
public final class HashCounters {
    private static final HashOutcome[] OUTCOMES = HashOutcome.values();
    private final long[] counts = new long[OUTCOMES.length];
    /** Of the answers {@link HashOutcome#CACHED}: those found by the key of the exec's inode, with no system call. */
    private long byInode;

    void count(HashOutcome outcome) {
        counts[outcome.ordinal()]++;
    }

    /** One more answer from the cache was found by the kernel's key of the exec's inode. */
    void countByInode() {
        byInode++;
    }

    /** The answers from the cache found by the key of the exec's inode. */
    public long byInode() {
        return byInode;
    }

    /** The answers given with {@code outcome}. */
    public long of(HashOutcome outcome) {
        return counts[outcome.ordinal()];
    }

    /** {@code "hashed 1, from cache 999 (by the exec's inode 990), busy 0, too large 0, process gone 1, failed 0"}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (HashOutcome o : OUTCOMES) {
            s.append(s.isEmpty() ? "" : ", ").append(o.label()).append(' ').append(counts[o.ordinal()]);
            if (o == HashOutcome.CACHED) {
                s.append(" (by the exec's inode ").append(byInode).append(')');
            }
        }
        return s.toString();
    }
}
