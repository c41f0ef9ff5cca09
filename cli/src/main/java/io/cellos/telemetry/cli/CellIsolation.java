package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.init.WorkloadIsolation;
import io.cellos.telemetry.guest.linux.Capabilities;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a local cell stands in for the microVM: whether it gives init a PID namespace of its own,
 * and which capabilities the workload keeps of those init takes from it.
 *
 * <ul>
 * <li>{@link PidNamespace#NEW} (the default): init is PID 1 of new PID and mount namespaces, and
 *     the agent runs outside them — a tool for people: nothing in the cell can name the agent.</li>
 * <li>{@link PidNamespace#SHARED}: the cell adds no namespace of its own. Init runs in the agent's
 *     PID namespace, as a child subreaper, and does exactly what it does in a microVM; the workload
 *     is kept from init and the agent by what init gives it there (its own mount namespace and
 *     {@code /proc}, the gate, the capabilities it goes without) and nothing else — the world the
 *     attack tests must hold in.</li>
 * </ul>
 *
 * @param pidNamespace which of the two
 * @param keep         capability numbers the workload keeps
 */
record CellIsolation(PidNamespace pidNamespace, Set<Integer> keep) {
    /** Whether the cell gives init a PID namespace of its own. */
    enum PidNamespace {
        NEW, SHARED
    }

    static final CellIsolation DEFAULT = new CellIsolation(PidNamespace.NEW, Set.of());

    CellIsolation {
        keep = Set.copyOf(keep);
    }

    /** From {@code --pid-namespace new|shared} and {@code --keep-capability NAME}... */
    static CellIsolation parse(Args a) throws UsageException {
        String ns = a.value("pid-namespace");
        PidNamespace mode;
        if (ns == null || ns.equals("new")) {
            mode = PidNamespace.NEW;
        } else if (ns.equals("shared")) {
            mode = PidNamespace.SHARED;
        } else {
            throw a.usage("--pid-namespace must be new (the cell's own) or shared (the agent's, as in a microVM), got '"
                    + ns + "'");
        }
        Set<Integer> keep = new TreeSet<>();
        for (String c : a.values("keep-capability")) {
            int n;
            try {
                n = Capabilities.number(c);
            } catch (IllegalArgumentException e) {
                throw a.usage("--keep-capability: " + e.getMessage());
            }
            if (!WorkloadIsolation.DROPPED.contains(n)) {
                throw a.usage("--keep-capability " + c + ": the workload keeps " + Capabilities.name(n)
                        + " anyway; only these are dropped: " + Capabilities.names(WorkloadIsolation.DROPPED));
            }
            keep.add(n);
        }
        return new CellIsolation(mode, keep);
    }

    /** Init's arguments for these choices. */
    List<String> initArgs() {
        List<String> args = new ArrayList<>();
        for (String name : Capabilities.names(keep)) {
            args.addAll(List.of("--keep-capability", name));
        }
        return args;
    }

    /** One line for the summary. */
    String describe() {
        return (pidNamespace == PidNamespace.NEW ? "PID namespace: the cell's own (init is its PID 1)"
                : "PID namespace: the agent's, as in a microVM (init a child subreaper)")
                + "; the workload: " + new WorkloadIsolation(keep).describe();
    }

    /** The options' help. */
    static final String HELP = """
              --pid-namespace M      new (default): init is PID 1 of a PID namespace of the cell's
                                     own, the agent outside it; shared: no namespace of the
                                     cell's own, init runs beside the agent as in a microVM,
                                     and only what init gives the workload keeps it from them
              --keep-capability C    let the workload keep capability C (e.g. sys_admin, to
                                     mount), one of those it goes without by default (repeatable;
                                     see 'cellos init --help'); the summary says so
            """;
}
