package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditNetlink;
import io.cellos.telemetry.guest.linux.AuditRecord;
import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.NetlinkSocket;
import io.cellos.telemetry.guest.probe.ForeignDatagrams;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The seccomp gate's refusals, as {@code capability.denied} with their {@code syscall}, read from
 * the kernel audit's multicast log without touching audit: no rule, no setting, no daemon's place.
 * A filter installed with {@code SECCOMP_FILTER_FLAG_LOG} (the gate's) makes the kernel write an
 * {@code AUDIT_SECCOMP} record for each verdict that refuses a call (errno, trap, kill); the kernel
 * sends every record to the multicast group whether audit is enabled or not, so a reader of the
 * group hears them while no task is given audit's per-syscall context. This is how the eBPF
 * mechanism, which keeps audit off, still declares what the gate refused.
 *
 * <p>Not seen: verdicts of a filter without the log flag; every record when the kernel runs with
 * {@code audit=0} on its command line (audit is then never initialised). The multicast copy is
 * best effort: a full socket buffer loses records, counted once per overrun (the number lost is
 * not known). Datagrams not from the kernel are dropped and declared ({@link ForeignDatagrams}).
 * Records other than {@code AUDIT_SECCOMP} (another agent's audit, if any) are passed over.
 *
 * <p>Confined to the loop thread; owns its socket from {@link #arm} to {@link #close}.
 */
public final class SeccompLogProbe implements Probe {
    static final String DESCRIPTION = "the seccomp gate's refusals (audit multicast log, audit untouched)";
    private static final int BUFFER_BYTES = 256 * 1024;
    private static final int TEXT_BYTES = 8192;
    private static final int DATAGRAMS_PER_WAKE = 256;

    private final AuditEventAssembler assembler = AuditEventAssembler.seccompOnly();
    private final AuditRecord record = new AuditRecord();
    private final byte[] text = new byte[TEXT_BYTES];
    private final ForeignDatagrams foreign = new ForeignDatagrams("the audit multicast log socket");
    private AuditNetlink log;

    @Override
    public String description() {
        return DESCRIPTION;
    }

    /** Joins the multicast log group (needs {@code CAP_AUDIT_READ}). */
    @Override
    public void arm() throws IOException {
        if (log != null) {
            throw new IllegalStateException(DESCRIPTION + " is armed already");
        }
        log = new AuditNetlink("audit multicast log socket", true, BUFFER_BYTES);
    }

    @Override
    public int fd() {
        return log.socket().fd();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        NetlinkSocket socket = log.socket();
        assembler.clock(System.nanoTime(), System.currentTimeMillis());
        for (int i = 0; i < DATAGRAMS_PER_WAKE; i++) {
            long n = socket.receive();
            if (n == 0) {
                break;
            }
            if (n == -Errno.ENOBUFS) {
                out.lost(1); // at least one record, perhaps a refusal, was not delivered
            } else if (n > NetlinkSocket.NLMSG_HDRLEN && socket.messageType(0) == AuditRecord.SECCOMP) {
                onSeccomp(socket.buffer(), n, out);
            }
        }
        foreign.check(socket.foreign(), socket.lastForeignPort(), out);
    }

    private void onSeccomp(MemorySegment buf, long n, ProbeOutput out) {
        int len = (int) Math.min(n - NetlinkSocket.NLMSG_HDRLEN, text.length);
        MemorySegment.copy(buf, JAVA_BYTE, NetlinkSocket.NLMSG_HDRLEN, text, 0, len);
        if (!record.reset(text, len)) {
            out.lost(1); // a record this parser cannot read: a refusal may be in it
            return;
        }
        assembler.accept(AuditRecord.SECCOMP, record, out);
    }

    @Override
    public void close() {
        if (log != null) {
            log.close();
            log = null;
        }
    }
}
