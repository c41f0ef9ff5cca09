package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRecord;
import io.cellos.telemetry.guest.linux.AuditRule;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.FileLock;
import io.cellos.telemetry.guest.linux.Libc;
import io.cellos.telemetry.guest.linux.NetlinkSocket;
import io.cellos.telemetry.guest.linux.ReadyGroup;
import io.cellos.telemetry.guest.probe.ForeignDatagrams;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Connects and capability denials, from the kernel's audit subsystem over {@code NETLINK_AUDIT}:
 * {@code net.connect_attempted} and {@code capability.denied} (what is declared, and when, is
 * {@link AuditEventAssembler}'s contract; which calls are audited, {@link AuditRuleSet}'s).
 *
 * <p><b>Arming.</b> The probe reads the audit status, then registers this process as the audit
 * daemon, so that the kernel sends every record to it (the kernel exempts the daemon's own calls
 * from auditing). If a live daemon is registered already ({@code auditd} on a workstation, or another
 * agent), the kernel refuses, and the probe reads the best-effort multicast copy of the log
 * beside it instead of failing — and takes the daemon's place if that one goes ({@link AuditLog}).
 * It then adds its rules, and only then enables audit, so that no record is made before there is a
 * reader. As the daemon it also sets the kernel's backlog to {@value #BACKLOG_LIMIT} records and the
 * backlog wait to 0: when the agent falls behind, the kernel drops records and counts them, rather
 * than make the workload's calls wait for the agent. Arming and closing run under the lock that
 * agents sharing one kernel take ({@link AuditPeers}). Arming fails, saying why, if the audit configuration is
 * locked ({@code enabled=2}), or if the kernel would panic on a lost record ({@code failure=2}) and
 * the probe is the daemon.
 *
 * <p><b>Losses</b> are counted three ways, so that none goes unseen: a receive overrun
 * ({@code ENOBUFS}) counts one; records the kernel dropped before numbering them (a full backlog)
 * show as growth of the status's {@code lost} counter; and records it numbered and then could not
 * deliver (the daemon's socket stayed full past the kernel's send time-out, when it discards them
 * without counting) show as serial numbers that never arrive ({@link AuditSerialGaps}), counted
 * from a marker the probe writes into the log once armed: what was made before it is not owed. The counter
 * is read, and the gaps settled, a quarter of a second after records arrive (an asynchronous
 * {@code AUDIT_GET}, answered on the record socket) and every quarter second after that until the
 * last serials seen are settled; an idle probe never wakes. The counts may over-state losses (the
 * kernel's counter covers every record, not only those of the probe's rules; beside another daemon
 * it also counts what that daemon failed to take), never hide them.
 *
 * <p>Should audit be switched off while the probe's rules are in place, the probe sees the
 * configuration-change record, switches audit back on, and counts a loss of unknown size for what
 * went unrecorded meanwhile.
 *
 * <p><b>Tampering</b> — audit's rules or settings changed by anything but an agent — is put back and
 * declared by {@link AuditConfigGuard}: from the configuration-change records, and every
 * {@value #CHECK_SECONDS} s from a comparison of audit with what the agents keep, which needs no
 * record (an exclude rule can keep a change's own record from being made).
 *
 * <p><b>Closing</b> deletes the rules the probe added and unregisters the daemon. If it is the last
 * live agent, it also gives back the settings audit had before the first agent (the backlog, unless
 * another daemon such as {@code auditd} owns them, and "off" if audit was off and no rule of anyone
 * else's is left); while another agent runs, the settings stay, and that agent becomes the daemon. A
 * process that dies without closing leaves its rules and settings (the kernel notices the dead
 * daemon at its next record); the next agent to arm or close deletes those rules, and the last one
 * gives back what they record ({@link AuditPeers}). Beside another daemon the records of the probe's
 * rules also reach that daemon's log, under the probe's filter key.
 *
 * <p>Limits: only x86-64 calls are audited (the seccomp gate refuses the others); a connect made
 * through {@code io_uring} is not a system call and is not seen; a process forked before audit was
 * first enabled on this boot is never audited (the kernel decides at fork; the agent arms before
 * the workload starts, so only processes older than the agent are concerned); the agent must run
 * in the initial PID and user namespaces, and pids are as seen there.
 *
 * <p>Threading: all calls on the loop thread, {@link #arm} included. Owns its two audit sockets,
 * the timer and the group fd that {@link #fd} returns.
 */
public final class AuditProbe implements Probe {
    /** Records the kernel may queue for the probe before it drops them. */
    static final int BACKLOG_LIMIT = 8192;
    private static final int CONTROL_BUFFER_BYTES = 64 * 1024;
    /** Connects that may wait for their address at once. */
    private static final int PENDING_CONNECTS = 64;
    /** Bounds one wake-up's work so the loop's other fds are not starved; the group stays readable. */
    private static final int DATAGRAMS_PER_WAKE = 512;
    /** {@code AUDIT_MESSAGE_TEXT_MAX} and then some. */
    private static final int TEXT_BYTES = 16 * 1024;
    /** Enough of a record for its {@code audit(SECONDS.MILLIS:SERIAL): } header. */
    private static final int HEADER_BYTES = 64;
    /** Seconds between checks of audit against what the agents keep, whatever the records said. */
    static final long CHECK_SECONDS = 5;
    private static final long CHECK_NANOS = CHECK_SECONDS * 1_000_000_000L;

    private final boolean declareExecs;
    private final byte[] text = new byte[TEXT_BYTES];
    private final AuditRecord record = new AuditRecord();
    private final List<AuditRule> added = new ArrayList<>();
    private AuditRuleSet ruleSet;
    private AuditEventAssembler assembler;
    private AuditConfigGuard configGuard;
    private final ForeignDatagrams foreign = new ForeignDatagrams("the audit record socket");
    private AuditNetlink control;
    private AuditLog log;
    private AuditLossCount losses;
    /** When the next check of audit is due ({@link AuditConfigGuard#check}), and whether one is owed. */
    private DueTimer checks;
    private boolean checkOwed;
    private long checkOwedSince;
    /** The text of the barrier {@link #finish} sent, and whether it came back. */
    private byte[] barrier;
    private boolean barrierSeen;
    private ReadyGroup ready;
    /** The audit status at arming: what the probe decides by. */
    private AuditStatus found;
    /** The settings to give back at close: those found, or those a dead agent found before them. */
    private AuditStatus restoreTo;
    private int self;
    private boolean closed;

    /** A probe of connects and capability denials. */
    public AuditProbe() {
        this(false);
    }

    /**
     * @param declareExecs also audit successful execs and declare {@code process.exec} from them:
     *                     the record names the new program even when the process is gone before
     *                     anyone could read {@code /proc}
     */
    public AuditProbe(boolean declareExecs) {
        this.declareExecs = declareExecs;
    }

    @Override
    public String description() {
        if (log == null) {
            return "connects and capability denials (audit netlink)";
        }
        return log.daemon() ? "connects and capability denials (audit netlink, as the audit daemon)"
                : "connects and capability denials (audit netlink, multicast log beside audit daemon pid "
                + found.pid() + ")";
    }

    @Override
    public void arm() throws IOException {
        try {
            armSteps();
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    private void armSteps() throws IOException {
        self = Libc.getpid();
        control = new AuditNetlink("audit control socket", false, CONTROL_BUFFER_BYTES);
        try (FileLock peers = AuditPeers.lock()) {
            found = control.status();
            if (found.enabled() == AuditStatus.LOCKED) {
                throw new IOException("audit: the configuration is locked (enabled=2, auditctl -e 2) until reboot;"
                        + " rules cannot be added");
            }
            AuditPeers.Sweep sweep = AuditPeers.sweep(control, self, found);
            restoreTo = sweep.originals() != null ? sweep.originals() : found;
            ruleSet = new AuditRuleSet(self, restoreTo, declareExecs);
            configGuard = new AuditConfigGuard(self, control, ruleSet, added, () -> log.daemon(), sweep.peers(),
                    sweep.left(), found);
            assembler = new AuditEventAssembler(ruleSet, PENDING_CONNECTS, configGuard::accept);
            ready = new ReadyGroup("audit records and timers");
            log = AuditLog.open(self, ready);
            if (log.daemon() && found.failure() == AuditStatus.FAIL_PANIC) {
                throw new IOException("audit: failure=2 would panic the kernel on the first record dropped;"
                        + " the probe drops records rather than stall the workload, so it will not run as the daemon");
            }
            for (AuditRule rule : ruleSet.rules()) {
                if (control.addRule(rule)) {
                    added.add(rule);
                }
            }
            int mask = found.enabled() == AuditStatus.OFF ? AuditStatus.MASK_ENABLED : 0;
            if (log.daemon()) {
                mask |= AuditStatus.MASK_BACKLOG_LIMIT | AuditStatus.MASK_BACKLOG_WAIT_TIME;
            }
            if (mask != 0) {
                control.setStatus(mask, daemonSettings(found.withEnabled(AuditStatus.ON)));
            }
        }
        losses = new AuditLossCount(self, found, ready, control);
        checks = new DueTimer(ready);
        checks.arm(CHECK_NANOS);
    }

    /** {@code status} with the daemon's backlog settings: a queue that drops and counts, never waits. */
    private static AuditStatus daemonSettings(AuditStatus status) {
        return status.withBacklogLimit(BACKLOG_LIMIT).withBacklogWaitTime(0);
    }

    /**
     * Sends a barrier into the audit log ({@link AuditNetlink#sendUserMessage}) and reads records
     * until it comes back or {@code deadlineNanos} passes: the records the kernel queued before the
     * agent was told to stop — a refusal a moment before the workload ended — reach the agent
     * rather than die with its socket.
     */
    @Override
    public void finish(ProbeOutput out, long deadlineNanos) throws IOException {
        String text = "cellos-agent " + self + " end of records " + System.nanoTime();
        barrier = text.getBytes(StandardCharsets.US_ASCII);
        barrierSeen = false;
        boolean sent = control.sendUserMessage(text);
        while (true) {
            onReadable(out);
            if (barrierSeen || !sent || System.nanoTime() - deadlineNanos > 0) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether the barrier of the last {@link #finish} came back before its deadline. */
    boolean barrierSeen() {
        return barrierSeen;
    }

    /** Whether the probe is the registered audit daemon (else it reads the multicast log). */
    boolean isAuditDaemon() {
        return log.daemon();
    }

    /** The filter key of the probe's rules; valid after {@link #arm}. */
    String ruleKey() {
        return ruleSet.key();
    }

    @Override
    public int fd() {
        return ready.fd();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        long now = System.nanoTime();
        losses.onWake(now, log.requests(), control, out);
        assembler.clock(now, System.currentTimeMillis());
        boolean sawRecords = false;
        boolean configChanged = false;
        boolean allRead = false;
        for (int i = 0; i < DATAGRAMS_PER_WAKE; i++) {
            long n = log.receive();
            if (n == 0) {
                allRead = true;
                break;
            }
            int type = n < NetlinkSocket.NLMSG_HDRLEN ? 0 : log.type();
            if (n == -Errno.ENOBUFS) {
                losses.overrun(out);
                sawRecords = true;
            } else if (type == AuditNetlink.AUDIT_GET) {
                onStatus(log.status(), out);
            } else if (type >= AuditNetlink.AUDIT_FIRST_RECORD || type == AuditNetlink.AUDIT_USER) {
                // below: the answer to a request made without waiting, or an acknowledgement
                sawRecords = true;
                configChanged |= type == AuditNetlink.AUDIT_CONFIG_CHANGE; // perhaps audit was switched off: the status says
                onRecord(type, n, out);
            }
        }
        if (allRead) {
            assembler.allRead();
        }
        configGuard.settle(out);
        if (checks.expired(now)) {
            checkOwed = true;
            checkOwedSince = now;
        }
        // after what the records told is settled; put off at most a period (records that never end
        // or never stop must not put it off for good)
        if (checkOwed && (allRead && !assembler.configChangeWaiting() || now - checkOwedSince >= CHECK_NANOS)) {
            configGuard.check(out, CHECK_SECONDS);
            checkOwed = false;
            checks.arm(CHECK_NANOS);
        }
        foreign.check(log.foreign(), log.lastForeignPort(), out);
        if (configChanged) {
            log.requests().requestStatus();
        }
        // a change still waiting for its event is decided at a later wake: the poll makes one
        losses.endOfWake(sawRecords, configChanged || assembler.configChangeWaiting());
    }

    /** One record of {@code type}, {@code n} bytes with its header, in the log's buffer. */
    private void onRecord(int type, long n, ProbeOutput out) {
        MemorySegment buf = log.buffer();
        boolean read = AuditEventAssembler.reads(type);
        // one record per datagram, and the kernel's unicast length leaves out the header: use the datagram's;
        // of a record nobody reads, the header (for its serial) is enough
        int len = (int) Math.min(n - NetlinkSocket.NLMSG_HDRLEN, read ? text.length : HEADER_BYTES);
        MemorySegment.copy(buf, JAVA_BYTE, NetlinkSocket.NLMSG_HDRLEN, text, 0, len);
        if (!record.reset(text, len)) {
            if (read) {
                out.lost(1); // a record this parser cannot read: an observation may be in it
            }
            return;
        }
        boolean user = type == AuditNetlink.AUDIT_USER;
        losses.seen(record.serial(), user, buf, n, out);
        if (user && barrier != null && AuditLog.contains(buf, n, barrier)) {
            barrierSeen = true;
        }
        if (read) {
            assembler.accept(type, record, out);
        }
    }

    private void onStatus(AuditStatus status, ProbeOutput out) throws IOException {
        // a reply to a request made before this probe took the daemon's place still names the old
        // daemon, or none: it says nothing of the daemon now
        boolean current = !log.fromBeforeTakeOver();
        if (current && log.daemon() && status.pid() != self) {
            // only a dead daemon is replaced, and only this process can unregister itself: this is no glitch
            throw new IOException("audit: this process (" + self + ") is no longer the audit daemon (now pid "
                    + status.pid() + "); records go elsewhere");
        }
        if (!log.daemon() && !AuditPeers.alive(status.pid()) && log.takeOver(control)) {
            // the daemon this probe read beside has gone (an agent that ended first): this one is it now
            try {
                control.setStatus(AuditStatus.MASK_BACKLOG_LIMIT | AuditStatus.MASK_BACKLOG_WAIT_TIME,
                        daemonSettings(status));
            } catch (ErrnoException e) { // audit locked since this probe armed: observe with the backlog as it is
                out.tampered(-1, null, "audit: this agent took the audit daemon's place but could not set its backlog ("
                        + e.getMessage() + ")");
            }
        }
        if (status.enabled() == AuditStatus.OFF && !added.isEmpty()) {
            // someone switched audit off while this probe's rules are in place — typically an agent
            // that was closing as this one armed beside it, and found no rule but its own: switch
            // it back on. What happened meanwhile went unrecorded: count a loss of unknown size.
            control.setStatus(AuditStatus.MASK_ENABLED, status.withEnabled(AuditStatus.ON));
            out.lost(1);
        }
        losses.status(status, out);
    }

    /**
     * Deletes the rules the probe added and gives back the audit settings it changed (see the class
     * comment); closing twice is harmless.
     *
     * @throws UncheckedIOException after doing all it can, if the kernel refused a step (the first
     *                              refusal, with the others suppressed)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<IOException> failures = new ArrayList<>();
        if (control != null && restoreTo != null) {
            try (FileLock peers = AuditPeers.lock()) {
                AuditStatus now = control.status();
                AuditPeers.Sweep sweep = AuditPeers.sweep(control, self, now);
                if (sweep.originals() != null) {
                    restoreTo = sweep.originals(); // an older agent's record: the same settings, or truer
                }
                for (AuditRule rule : added) {
                    try {
                        control.deleteRule(rule);
                    } catch (ErrnoException e) {
                        failures.add(e);
                    }
                }
                giveBack(now, sweep.othersAlive());
            } catch (ErrnoException e) {
                failures.add(e);
            }
        }
        if (ready != null) {
            ready.close();
        }
        if (losses != null) {
            losses.close();
        }
        if (checks != null) {
            checks.close();
        }
        if (log != null) {
            log.close();
        }
        if (control != null) {
            control.close();
        }
        if (!failures.isEmpty()) {
            UncheckedIOException e = new UncheckedIOException("audit probe: could not undo its changes",
                    failures.getFirst());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /**
     * Unregisters the daemon, and, as the last live agent, gives back the settings audit had before
     * the first one ({@code now}: the settings in force).
     */
    private void giveBack(AuditStatus now, boolean othersAlive) throws ErrnoException {
        int mask = 0;
        AuditStatus values = restoreTo;
        if (!othersAlive) {
            // audit stays on while anyone's rules are left: auditd depends on it
            if (restoreTo.enabled() == AuditStatus.OFF && control.rules().isEmpty()) {
                mask |= AuditStatus.MASK_ENABLED;
            }
            boolean otherDaemon = now.pid() != 0 && now.pid() != self && AuditPeers.alive(now.pid());
            if (!otherDaemon) { // the backlog is auditd's while it runs, the agents' otherwise
                mask |= AuditStatus.MASK_BACKLOG_LIMIT | AuditStatus.MASK_BACKLOG_WAIT_TIME;
            }
        }
        if (log != null && log.daemon()) {
            mask |= AuditStatus.MASK_PID; // another agent, if any, takes the daemon's place
            values = values.withPid(0);
        }
        if (mask != 0) {
            control.setStatus(mask, values);
        }
    }
}
