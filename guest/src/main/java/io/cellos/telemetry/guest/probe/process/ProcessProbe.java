package io.cellos.telemetry.guest.probe.process;

import io.cellos.telemetry.guest.probe.FallbackProbe;
import java.util.List;

/**
 * The agent's process probe: the netlink process connector when it can be armed, else the
 * {@code /proc} walk, or either one alone when asked for by name. Which one runs, and why, is
 * settled by {@link #arm} and told by {@link #description} (for the agent to print) and by
 * {@link #armed} and {@link #passedOver} ({@link FallbackProbe}).
 */
public final class ProcessProbe extends FallbackProbe {
    /** Which mechanism to use. */
    public enum Mechanism {
        /** The connector when it can be armed, else the walk. */
        BEST,
        /** The connector or nothing. */
        CONNECTOR,
        /** The walk, even where the connector would work (the benchmarks compare the two). */
        WALK
    }

    /** The connector when it can be armed, else the walk. */
    public static ProcessProbe best() {
        return new ProcessProbe(Mechanism.BEST);
    }

    public ProcessProbe(Mechanism mechanism) {
        this(mechanism, true);
    }

    /**
     * @param declareExecs whether the connector declares {@code process.exec}; {@code false} when
     *                     the audit probe does
     */
    public ProcessProbe(Mechanism mechanism, boolean declareExecs) {
        super(switch (mechanism) {
            case BEST -> "processes (netlink proc connector, else /proc walk)";
            case CONNECTOR -> ProcConnectorProbe.DESCRIPTION;
            case WALK -> "processes (/proc walk)";
        }, mechanisms(mechanism, declareExecs));
    }

    private static List<FallbackProbe.Candidate> mechanisms(Mechanism mechanism, boolean declareExecs) {
        FallbackProbe.Candidate connector = () -> new ProcConnectorProbe(
                ProcConnectorProbe.DEFAULT_RECEIVE_BUFFER_BYTES, declareExecs);
        FallbackProbe.Candidate walk = ProcWalkProbe::new;
        return switch (mechanism) {
            case BEST -> List.of(connector, walk);
            case CONNECTOR -> List.of(connector);
            case WALK -> List.of(walk);
        };
    }
}
