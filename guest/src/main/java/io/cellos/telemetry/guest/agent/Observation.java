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
    /** The two option names, without {@code --}. */
    public static final List<String> OPTIONS = List.of("probe-mechanism", "batch-window");

    /**
     * {@code --probe-mechanism} and {@code --batch-window} from {@code a}.
     *
     * @throws UsageException naming the option, the value and what is accepted
     */
    public static Observation parse(Args a) throws UsageException {
        ProbeMechanism m;
        try {
            m = a.value("probe-mechanism") == null ? ProbeMechanism.AUTO : ProbeMechanism.parse(a.value("probe-mechanism"));
        } catch (IllegalArgumentException e) {
            throw a.usage(e.getMessage());
        }
        return new Observation(m, batchWindow(a, m));
    }

    /**
     * {@code --batch-window} from {@code a}: a duration ({@code 0} alone too) that {@link WakeWindow#of}
     * accepts, given only where eBPF may be used ({@code mechanism} not audit); {@link WakeWindow#DEFAULT}
     * without it.
     *
     * @throws UsageException naming the value and what is accepted
     */
    static Duration batchWindow(Args a, ProbeMechanism mechanism) throws UsageException {
        String text = a.value("batch-window");
        if (text == null) {
            return WakeWindow.DEFAULT;
        }
        if (mechanism == ProbeMechanism.AUDIT) {
            throw a.usage("--batch-window is the eBPF probes' (audit's records come by netlink, each as it is made); "
                    + "leave it out, or use --probe-mechanism bpf or auto");
        }
        try {
            Duration d = text.equals("0") ? Duration.ZERO : Durations.parse(text);
            WakeWindow.of(d);
            return d;
        } catch (IllegalArgumentException e) {
            throw a.usage("--batch-window: " + e.getMessage());
        }
    }

    /** The agent's arguments for this: the mechanism, and the window unless it is the default. */
    public List<String> agentArgs() {
        List<String> args = new ArrayList<>(List.of("--probe-mechanism", mechanism.flag()));
        if (!batchWindow.equals(WakeWindow.DEFAULT)) {
            args.addAll(List.of("--batch-window", batchWindow.isZero() ? "0" : Durations.format(batchWindow)));
        }
        return args;
    }
}
