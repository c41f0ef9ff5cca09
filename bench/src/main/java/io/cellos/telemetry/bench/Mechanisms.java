package io.cellos.telemetry.bench;

import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.audit.AuditProbe;
import io.cellos.telemetry.guest.probe.ebpf.EbpfCapabilityProbe;
import io.cellos.telemetry.guest.probe.ebpf.EbpfConnectProbe;
import io.cellos.telemetry.guest.probe.ebpf.EbpfProcessProbe;
import io.cellos.telemetry.guest.probe.process.ProcessProbe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The sets of probes the harnesses observe the machine with, by name, each built fresh per use and
 * in the order the agent reads them ({@code ProbeSet}):
 * <ul>
 * <li>{@code none}: no probe;
 * <li>{@code audit}: the agent's {@code --probe-mechanism audit}: the audit probe (connects, execs,
 *     refused capability checks; it declares the execs) and the process probe (netlink connector,
 *     else the {@code /proc} walk; not declaring execs);
 * <li>{@code bpf}: the agent's {@code --probe-mechanism bpf}: the eBPF connect probe (cgroup
 *     socket-address programs), the eBPF capability probe ({@code cap_capable}) and the eBPF
 *     process probe;
 * <li>{@code ebpf}: the eBPF process probe alone;
 * <li>{@code audit-probe}: the audit probe alone (what {@code audit} meant in this harness before
 *     the process connector was added to it);
 * <li>{@code connector}, {@code walk}: the process probe on the netlink connector, on the
 *     {@code /proc} walk (100 ms).
 * </ul>
 */
final class Mechanisms {
    private static final Map<String, Supplier<List<Probe>>> SETS = new LinkedHashMap<>();

    static {
        SETS.put("none", List::of);
        SETS.put("audit", () -> List.of(new AuditProbe(true), new ProcessProbe(ProcessProbe.Mechanism.BEST, false)));
        SETS.put("bpf", () -> List.of(new EbpfConnectProbe(), new EbpfCapabilityProbe(), new EbpfProcessProbe()));
        SETS.put("ebpf", () -> List.of(new EbpfProcessProbe()));
        SETS.put("audit-probe", () -> List.of(new AuditProbe(true)));
        SETS.put("connector", () -> List.of(new ProcessProbe(ProcessProbe.Mechanism.CONNECTOR)));
        SETS.put("walk", () -> List.of(new ProcessProbe(ProcessProbe.Mechanism.WALK)));
    }

    private Mechanisms() {
    }

    /**
     * @throws IllegalArgumentException naming the known sets if {@code name} is not one
     */
    static void check(String name) {
        if (!SETS.containsKey(name)) {
            throw new IllegalArgumentException("unknown mechanism '" + name + "'; known: " + SETS.keySet());
        }
    }

    /** Fresh, unarmed probes of set {@code name}; empty for {@code none}. */
    static List<Probe> probes(String name) {
        check(name);
        return SETS.get(name).get();
    }
}
