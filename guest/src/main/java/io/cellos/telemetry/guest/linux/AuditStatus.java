package io.cellos.telemetry.guest.linux;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct audit_status} ({@code <linux/audit.h>}): the kernel audit subsystem's settings and
 * counters, as {@code AUDIT_GET} reports them and {@code AUDIT_SET} changes them.
 *
 * <p>The struct is eleven {@code __u32}s (44 bytes); older kernels report a shorter prefix, and the
 * fields they leave out read as 0. An {@code AUDIT_SET} carries a {@code mask} of the fields to change
 * in place of the first field.
 *
 * @param enabled         {@link #OFF}, {@link #ON} or {@link #LOCKED}
 * @param failure         what the kernel does when it loses a record: 0 silent, 1 printk, {@link #FAIL_PANIC}
 * @param pid             the registered audit daemon's pid (0: none)
 * @param rateLimit       records per second before the kernel drops them (0: no limit)
 * @param backlogLimit    records queued in the kernel before it drops or waits (0: no limit)
 * @param lost            records the kernel dropped since boot (or since the counter was reset)
 * @param backlog         records queued in the kernel now
 * @param featureBitmap   the audit features this kernel has
 * @param backlogWaitTime jiffies a process waits for room in a full backlog before its record is dropped
 */
public record AuditStatus(int enabled, int failure, int pid, int rateLimit, int backlogLimit, int lost, int backlog,
                          int featureBitmap, int backlogWaitTime) {
    public static final int OFF = 0;
    public static final int ON = 1;
    /** Set by {@code auditctl -e 2}: the configuration cannot change until reboot. */
    public static final int LOCKED = 2;
    /** {@code AUDIT_FAIL_PANIC}: a lost record panics the kernel. */
    public static final int FAIL_PANIC = 2;

    public static final int MASK_ENABLED = 0x0001;
    public static final int MASK_FAILURE = 0x0002;
    public static final int MASK_PID = 0x0004;
    public static final int MASK_RATE_LIMIT = 0x0008;
    public static final int MASK_BACKLOG_LIMIT = 0x0010;
    public static final int MASK_BACKLOG_WAIT_TIME = 0x0020;

    /** {@code sizeof(struct audit_status)} on current kernels. */
    public static final int BYTES = 44;

    /** Reads the struct from the {@code len} payload bytes at {@code off}. */
    static AuditStatus read(MemorySegment s, long off, int len) {
        return new AuditStatus(field(s, off, len, 1), field(s, off, len, 2), field(s, off, len, 3), field(s, off, len, 4),
                field(s, off, len, 5), field(s, off, len, 6), field(s, off, len, 7), field(s, off, len, 8),
                field(s, off, len, 9));
    }

    private static int field(MemorySegment s, long off, int len, int index) {
        return (index + 1) * 4 <= len ? s.get(JAVA_INT, off + index * 4L) : 0;
    }

    /**
     * Writes an {@code AUDIT_SET} payload that changes the fields named in {@code mask} to this
     * record's values.
     */
    void writeSet(MemorySegment s, long off, int mask) {
        s.asSlice(off, BYTES).fill((byte) 0);
        s.set(JAVA_INT, off, mask);
        s.set(JAVA_INT, off + 4, enabled);
        s.set(JAVA_INT, off + 8, failure);
        s.set(JAVA_INT, off + 12, pid);
        s.set(JAVA_INT, off + 16, rateLimit);
        s.set(JAVA_INT, off + 20, backlogLimit);
        s.set(JAVA_INT, off + 36, backlogWaitTime);
    }

    public AuditStatus withEnabled(int v) {
        return new AuditStatus(v, failure, pid, rateLimit, backlogLimit, lost, backlog, featureBitmap, backlogWaitTime);
    }

    public AuditStatus withFailure(int v) {
        return new AuditStatus(enabled, v, pid, rateLimit, backlogLimit, lost, backlog, featureBitmap, backlogWaitTime);
    }

    public AuditStatus withRateLimit(int v) {
        return new AuditStatus(enabled, failure, pid, v, backlogLimit, lost, backlog, featureBitmap, backlogWaitTime);
    }

    public AuditStatus withPid(int v) {
        return new AuditStatus(enabled, failure, v, rateLimit, backlogLimit, lost, backlog, featureBitmap, backlogWaitTime);
    }

    public AuditStatus withBacklogLimit(int v) {
        return new AuditStatus(enabled, failure, pid, rateLimit, v, lost, backlog, featureBitmap, backlogWaitTime);
    }

    public AuditStatus withBacklogWaitTime(int v) {
        return new AuditStatus(enabled, failure, pid, rateLimit, backlogLimit, lost, backlog, featureBitmap, v);
    }
}
