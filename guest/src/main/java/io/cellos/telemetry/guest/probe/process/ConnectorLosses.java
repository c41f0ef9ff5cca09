package io.cellos.telemetry.guest.probe.process;

import java.util.Arrays;

/**
 * Counts the process connector's messages that never reached the probe.
 *
 * <p>The kernel numbers the messages of each CPU consecutively ({@code cn_msg.seq}, one counter per
 * CPU shared by every listener, advanced for every event type and acknowledgement), so a jump from
 * {@code n} to {@code n + k + 1} on one CPU means exactly {@code k} messages were lost: dropped for
 * this socket's full buffer, or never built for want of memory. The first message seen from a CPU
 * sets where its count starts.
 *
 * <p>A read that fails with {@code ENOBUFS} says only that at least one message was lost, not which
 * CPU's: it is counted as one at once (the loss may never show as a gap, if that CPU sends nothing
 * more) and that one is deducted from the next gap found, which counts the same loss exactly. So
 * the total never exceeds the true loss, and equals it once every CPU that lost a message has sent
 * another.
 *
 * <p>Confined to the loop thread.
 */
final class ConnectorLosses {
    /** Beyond this a CPU number is not believed, and its messages are not counted. */
    private static final int MAX_CPUS = 8192;

    private int[] lastSeq = new int[0];
    private boolean[] started = new boolean[0];
    private long overrunsNotInGaps;

    /**
     * Takes one message's CPU and sequence number.
     *
     * @return how many newly known lost messages to report now
     */
    long onMessage(int cpu, int seq) {
        if (cpu < 0 || cpu >= MAX_CPUS) {
            return 0;
        }
        if (cpu >= lastSeq.length) {
            int size = Math.min(MAX_CPUS, Math.max(cpu + 1, lastSeq.length * 2));
            lastSeq = Arrays.copyOf(lastSeq, size);
            started = Arrays.copyOf(started, size);
        }
        int gap = seq - lastSeq[cpu] - 1; // int arithmetic: the u32 counter wraps
        boolean counted = started[cpu];
        lastSeq[cpu] = seq;
        started[cpu] = true;
        if (!counted || gap <= 0) {
            return 0;
        }
        long explained = Math.min(gap, overrunsNotInGaps);
        overrunsNotInGaps -= explained;
        return gap - explained;
    }

    /**
     * Takes a read that failed with {@code ENOBUFS}.
     *
     * @return how many lost messages to report now: one
     */
    long onOverrun() {
        overrunsNotInGaps++;
        return 1;
    }
}
