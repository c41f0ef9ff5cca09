package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.audit.AuditProbe;
import io.cellos.telemetry.guest.probe.audit.SeccompLogProbe;
import io.cellos.telemetry.guest.probe.dns.DnsAnswersProbe;
import io.cellos.telemetry.guest.probe.dns.PeerHosts;
import io.cellos.telemetry.guest.probe.ebpf.CallerRanges;
import io.cellos.telemetry.guest.probe.ebpf.EbpfCapabilityProbe;
import io.cellos.telemetry.guest.probe.ebpf.EbpfConnectProbe;
import io.cellos.telemetry.guest.probe.ebpf.EbpfProcessProbe;
import io.cellos.telemetry.guest.probe.ebpf.KernelBtf;
import io.cellos.telemetry.guest.probe.ebpf.WakeWindow;
import io.cellos.telemetry.guest.probe.file.FileWatchProbe;
import io.cellos.telemetry.guest.probe.process.ProcessProbe;
import io.cellos.telemetry.wire.Durations;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's probes, of one {@link ProbeMechanism}, armed according to the failure mode: under
 * {@code fail-cell} a probe that cannot be armed stops the launch; under {@code degrade} it is left
 * off and named. Under {@link ProbeMechanism#AUTO} the eBPF set is tried first, all or nothing, and
 * audit's is armed if any of it cannot be, with the reason kept for the ready line.
 */
final class ProbeSet {
    /**
     * The outcome of arming.
     *
     * @param mechanism the mechanism in use: {@link ProbeMechanism#BPF} or {@link ProbeMechanism#AUDIT}
     * @param why       why that one, when {@code auto} could not arm eBPF; else empty
     * @param probes    the armed probes, now owned by the caller
     * @param window    the window the eBPF probes submit under ({@link WakeWindow#NONE} under audit),
     *                  now owned by the caller
     * @param on        what each armed probe watches and how
     * @param off       under degrade, each probe left off and why
     */
    record Armed(ProbeMechanism mechanism, String why, List<Probe> probes, WakeWindow window, List<String> on,
                 List<String> off) {
        /**
         * The ready line's words for the mechanism: {@code "bpf, batch window off"}, or
         * {@code "audit (eBPF: ...)"}.
         */
        String describeMechanism() {
            return mechanism.flag() + (why.isEmpty() ? "" : " (" + why + ")")
                    + (mechanism == ProbeMechanism.BPF ? ", batch window " + describe(window) : "");
        }

        private static String describe(WakeWindow w) {
            return w.length().isZero() ? "off" : Durations.format(w.length());
        }

        /** Closes the probes and the window: what arming made. */
        void close() {
            probes.forEach(Probe::close);
            window.close();
        }
    }

    /** Makes one probe, armed, knowing those armed before it; throws when it cannot be armed, saying why. */
    @FunctionalInterface
    interface Candidate {
        Probe arm(List<Probe> armedBefore) throws IOException;
    }

    private ProbeSet() {
    }

    /**
     * Starts reading, on a thread of its own, what the eBPF probes the options may call for need
     * from the kernel and the JVM is slow to read cold ({@link CallerRanges}); null when audit is
     * chosen. Called first thing, so that the read overlaps the agent's own start.
     */
    static CallerRanges startReading(AgentOptions o) {
        return o.mechanism() == ProbeMechanism.AUDIT ? null : CallerRanges.startReading();
    }

    /**
     * Arms every probe the options call for; the DNS probe learns into {@code hosts}.
     *
     * @param callers what {@link #startReading} started for these options
     */
    static Armed arm(AgentOptions o, PeerHosts hosts, CallerRanges callers) throws NotReadyException {
        if (o.mechanism() != ProbeMechanism.AUTO) {
            WakeWindow w = window(o, o.mechanism());
            return arm(o.mechanism(), "", candidates(o, o.mechanism(), hosts, callers, w), w, o.failureMode());
        }
        try {
            WakeWindow w = window(o, ProbeMechanism.BPF);
            return arm(ProbeMechanism.BPF, "", candidates(o, ProbeMechanism.BPF, hosts, callers, w), w,
                    FailureMode.FAIL_CELL);
        } catch (NotReadyException e) {
            return arm(ProbeMechanism.AUDIT, "eBPF could not be armed: " + e.getCause().getMessage()
                            + (o.batchWindow().isZero() ? "" : "; its batch window is not used"),
                    candidates(o, ProbeMechanism.AUDIT, hosts, callers, WakeWindow.NONE), WakeWindow.NONE,
                    o.failureMode());
        }
    }

    /** The options' batch window for {@code mechanism}'s probes: none under audit, whose records come by netlink. */
    private static WakeWindow window(AgentOptions o, ProbeMechanism mechanism) {
        return mechanism == ProbeMechanism.BPF ? WakeWindow.of(o.batchWindow()) : WakeWindow.NONE;
    }

    /**
     * Arms {@code candidates}, whose eBPF probes submit under {@code window}; when that fails,
     * closes what was armed and the window.
     */
    static Armed arm(ProbeMechanism mechanism, String why, List<Candidate> candidates, WakeWindow window,
                     FailureMode mode) throws NotReadyException {
        List<Probe> probes = new ArrayList<>();
        List<String> on = new ArrayList<>();
        List<String> off = new ArrayList<>();
        for (Candidate c : candidates) {
            try {
                Probe p = c.arm(List.copyOf(probes));
                probes.add(p);
                on.add(p.description());
            } catch (IOException | RuntimeException e) {
                if (mode == FailureMode.FAIL_CELL) {
                    probes.forEach(Probe::close);
                    window.close();
                    throw new NotReadyException("a probe cannot be armed (--on-agent-failure fail-cell): "
                            + e.getMessage(), e);
                }
                off.add(e.getMessage());
            }
        }
        return new Armed(mechanism, why, probes, window, on, off);
    }

    /**
     * The probes of {@code mechanism}, in the order the agent reads them in each wake: the process
     * probe last.
     * <ul>
     * <li>audit: audit (execs, connects, denials) first, then declared files if any, then
     *     processes — so that whatever the others read of a process, its fork and exec (which the
     *     kernel queued before) have been read too when the wake ends ({@code Attribution}). Execs
     *     are declared from audit's records when audit is armed — they name the new program even
     *     for a process gone before {@code /proc} could be read — and by the process connector
     *     otherwise;
     * <li>bpf: connects (cgroup socket hooks), refused capability checks ({@code cap_capable}) and
     *     the seccomp gate's logged refusals (audit's multicast log, audit left off) first, then
     *     declared files if any, then processes,
     *     execs and exits from the eBPF process probe, whose records carry their names, paths and
     *     command lines as the kernel had them.
     * </ul>
     * Under both, the DNS answers ({@link DnsAnswersProbe}) are read first: an answer reaches its
     * packet socket before the connect it leads to, so whenever the connect's fd is readable the
     * answer's is too, and in that wake the answer is learnt before the connect is read — which may
     * queue it at once, with its {@code host} — whatever the scope.
     */
    private static List<Candidate> candidates(AgentOptions o, ProbeMechanism mechanism, PeerHosts hosts,
                                              CallerRanges callers, WakeWindow window) {
        List<Candidate> c = new ArrayList<>();
        KernelBtf btf = new KernelBtf(); // parsed once for the eBPF probes, dropped with the candidates
        c.add(before -> armed(new DnsAnswersProbe(hosts)));
        if (mechanism == ProbeMechanism.AUDIT) {
            c.add(before -> armed(new AuditProbe(true)));
        } else {
            c.add(before -> armed(new EbpfConnectProbe(btf, window)));
            c.add(before -> armed(new EbpfCapabilityProbe(btf, callers, window)));
            c.add(before -> armed(new SeccompLogProbe()));
        }
        if (!o.watches().isEmpty()) {
            c.add(before -> armed(new FileWatchProbe(o.watches(), SelfProtection.COMM)));
        }
        if (mechanism == ProbeMechanism.BPF) {
            c.add(before -> armed(new EbpfProcessProbe(btf, window)));
        } else {
            ProcessProbe.Mechanism process = switch (o.processProbe()) {
                case "connector" -> ProcessProbe.Mechanism.CONNECTOR;
                case "procwalk" -> ProcessProbe.Mechanism.WALK;
                default -> ProcessProbe.Mechanism.BEST;
            };
            c.add(before -> armed(new ProcessProbe(process,
                    before.stream().noneMatch(p -> p instanceof AuditProbe))));
        }
        return c;
    }

    /** Arms {@code p}; on failure says which probe failed. */
    private static Probe armed(Probe p) throws IOException {
        try {
            return Probe.armed(p);
        } catch (IOException | RuntimeException e) {
            throw new IOException(p.description() + ": " + e.getMessage(), e);
        }
    }
}
