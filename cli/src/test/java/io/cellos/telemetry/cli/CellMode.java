package io.cellos.telemetry.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The two choices a local cell's tests are run under: whose PID namespace the cell has, and how the
 * agent observes. {@code null} leaves a choice to the command's default.
 *
 * @param pidNamespace {@code new} (the cell's own) or {@code shared} (the agent's, as in a microVM)
 * @param mechanism    {@code bpf} or {@code audit}
 */
record CellMode(String pidNamespace, String mechanism) {
    /** The command's defaults. */
    static final CellMode DEFAULT = new CellMode(null, null);

    /** Every mode: each PID namespace with each mechanism. */
    static List<CellMode> all() {
        List<CellMode> modes = new ArrayList<>();
        for (String ns : List.of("new", "shared")) {
            for (String m : List.of("bpf", "audit")) {
                modes.add(new CellMode(ns, m));
            }
        }
        return modes;
    }

    /** The options that make this mode, for {@code cell run} or {@code demo}. */
    List<String> options() {
        List<String> o = new ArrayList<>();
        if (pidNamespace != null) {
            o.addAll(List.of("--pid-namespace", pidNamespace));
        }
        if (mechanism != null) {
            o.addAll(List.of("--probe-mechanism", mechanism));
        }
        return o;
    }

    /** Whether the agent observes through eBPF. */
    boolean bpf() {
        return "bpf".equals(mechanism);
    }

    @Override
    public String toString() {
        return String.join(" ", options());
    }
}
