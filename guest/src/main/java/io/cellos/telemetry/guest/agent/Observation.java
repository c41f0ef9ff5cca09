package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.probe.ebpf.WakeWindow;
import io.cellos.telemetry.wire.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the agent observes: its mechanism and, under eBPF, its batch window ({@link WakeWindow}) —
 * the options {@code --probe-mechanism} and {@code --batch-window}, which the agent, init and a
 * local cell take alike and pass on as they are.
 *
 * @param mechanism   how processes, execs and connects are observed
 * @param batchWindow how long the eBPF programs may hold records back; zero for none
 */
public record Observation(ProbeMechanism mechanism, Duration batchWindow) {
    /**
     * {@code --probe-mechanism} and {@code --batch-window} from {@code a}.
     *
     * @throws UsageException naming the option, the value and what is accepted
     */
    public static Observation parse(Args a) throws UsageException {
        ProbeMechanism m = mechanism(a);
        return new Observation(m, batchWindow(a, m));
    }

    /**
     * {@code --probe-mechanism} from {@code a}; {@link ProbeMechanism#AUTO} without it.
     *
     * @throws UsageException naming the value and what is accepted
     */
    static ProbeMechanism mechanism(Args a) throws UsageException {
        try {
            return a.value("probe-mechanism") == null ? ProbeMechanism.AUTO : ProbeMechanism.parse(a.value("probe-mechanism"));
        } catch (IllegalArgumentException e) {
            throw a.usage(e.getMessage());
        }
    }

    /**
     * {@code --batch-window} from {@code a}: a duration ({@code 0} alone too) that {@link WakeWindow#of}
     * accepts, other than zero only where eBPF may be used ({@code mechanism} not audit);
     * {@link WakeWindow#DEFAULT} without it.
     *
     * @throws UsageException naming the value and what is accepted
     */
    static Duration batchWindow(Args a, ProbeMechanism mechanism) throws UsageException {
        String text = a.value("batch-window");
        if (text == null) {
            return WakeWindow.DEFAULT;
        }
        Duration d;
        try {
            d = text.equals("0") ? Duration.ZERO : Durations.parse(text);
            WakeWindow.of(d);
        } catch (IllegalArgumentException e) {
            throw a.usage("--batch-window: " + e.getMessage());
        }
        if (mechanism == ProbeMechanism.AUDIT && !d.isZero()) {
            throw a.usage("--batch-window " + text + " is for the eBPF probes, and "
                    + (a.value("process-probe") != null ? "--process-probe " + a.value("process-probe")
                    : "--probe-mechanism audit") + " chooses audit (whose records come by netlink, each as it is "
                    + "made); leave the window out, or let the agent use eBPF");
        }
        return d;
    }

    /** The agent's arguments for this: the mechanism, and the window unless it is the default (none). */
    public List<String> agentArgs() {
        List<String> args = new ArrayList<>(List.of("--probe-mechanism", mechanism.flag()));
        if (!batchWindow.isZero()) {
            args.addAll(List.of("--batch-window", Durations.format(batchWindow)));
        }
        return args;
    }
}
