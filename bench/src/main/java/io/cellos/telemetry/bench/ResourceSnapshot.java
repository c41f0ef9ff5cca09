package io.cellos.telemetry.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * The process's resource counters at one instant: CPU time, garbage collection, and the CPU time
 * and allocation of the receiver's I/O threads. Two snapshots, subtracted, give what a run cost.
 *
 * @param processCpuNanos   CPU time of the whole JVM (receiver, guests, GC, JIT)
 * @param gcCount           collections, all collectors
 * @param gcMillis          time the collectors report, all collectors
 * @param loopCpuNanos      CPU time of the receiver's I/O threads
 * @param loopUserNanos     the part of {@code loopCpuNanos} spent in user mode (the rest is the
 *                          kernel's: socket reads, file writes, waits)
 * @param loopAllocatedBytes bytes the receiver's I/O threads allocated
 */
record ResourceSnapshot(long processCpuNanos, long gcCount, long gcMillis, long loopCpuNanos, long loopUserNanos,
                        long loopAllocatedBytes) {
    /** Takes the counters now; {@code loopThreads} are the ids of the receiver's live I/O threads. */
    static ResourceSnapshot take(long[] loopThreads) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        long cpu = 0;
        for (long t : threads.getThreadCpuTime(loopThreads)) {
            cpu += t;
        }
        long user = 0;
        for (long t : threads.getThreadUserTime(loopThreads)) {
            user += t;
        }
        long allocated = 0;
        for (long a : threads.getThreadAllocatedBytes(loopThreads)) {
            allocated += a;
        }
        return new ResourceSnapshot(os.getProcessCpuTime(), gcCount, gcMillis, cpu, user, allocated);
    }

    /** What was spent between {@code earlier} and this snapshot. */
    ResourceSnapshot minus(ResourceSnapshot earlier) {
        return new ResourceSnapshot(processCpuNanos - earlier.processCpuNanos, gcCount - earlier.gcCount,
                gcMillis - earlier.gcMillis, loopCpuNanos - earlier.loopCpuNanos, loopUserNanos - earlier.loopUserNanos,
                loopAllocatedBytes - earlier.loopAllocatedBytes);
    }
}
