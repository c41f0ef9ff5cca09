package io.cellos.telemetry.guest.probe;

import java.io.IOException;

/**
 * The agent's process probe: the netlink process connector when it can be armed, else the
 * {@code /proc} walk, or either one alone when asked for by name. Which one runs, and why, is
 * settled by {@link #arm} and told by {@link #description} (for the agent to print) and by
 * {@link #chosen} and {@link #whyNotConnector}.
 *
 * <p>Confined to the loop thread; owns the chosen probe.
 */
public final class ProcessProbe implements Probe {
    /** Which mechanism to use. */
    public enum Mechanism {
        /** The connector when it can be armed, else the walk. */
        BEST,
        /** The connector or nothing. */
        CONNECTOR,
        /** The walk, even where the connector would work (the benchmarks compare the two). */
        WALK
    }

    private final ProcessTreeListener tree;
    private final Mechanism mechanism;
    private final boolean declareExecs;
    private Probe chosen;
    private String whyNotConnector;

    /** The connector when it can be armed, else the walk. */
    public static ProcessProbe best(ProcessTreeListener tree) {
        return new ProcessProbe(tree, Mechanism.BEST);
    }

    /** @param tree hears of forks and exits before they are declared */
    public ProcessProbe(ProcessTreeListener tree, Mechanism mechanism) {
        this(tree, mechanism, true);
    }

    /**
     * @param tree         hears of forks and exits before they are declared
     * @param declareExecs whether the connector declares {@code process.exec}; {@code false} when
     *                     the audit probe does
     */
    public ProcessProbe(ProcessTreeListener tree, Mechanism mechanism, boolean declareExecs) {
        this.tree = tree;
        this.mechanism = mechanism;
        this.declareExecs = declareExecs;
    }

    @Override
    public String description() {
        if (chosen == null) {
            return switch (mechanism) {
                case BEST -> "processes (netlink proc connector, else /proc walk)";
                case CONNECTOR -> ProcConnectorProbe.DESCRIPTION;
                case WALK -> "processes (/proc walk)";
            };
        }
        return whyNotConnector == null
                ? chosen.description()
                : chosen.description() + "; the proc connector could not be armed: " + whyNotConnector;
    }

    /**
     * Arms the mechanism asked for; under {@link Mechanism#BEST}, the walk if the connector cannot
     * be armed.
     *
     * @throws IOException why the mechanism (under {@code BEST}: neither) could be armed, the
     *                     connector's failure suppressed into the walk's
     */
    @Override
    public void arm() throws IOException {
        if (chosen != null) {
            throw new IllegalStateException(description() + " is armed already");
        }
        if (mechanism == Mechanism.WALK) {
            chosen = Probe.armed(new ProcWalkProbe(tree));
            return;
        }
        try {
            chosen = Probe.armed(new ProcConnectorProbe(tree, ProcConnectorProbe.DEFAULT_RECEIVE_BUFFER_BYTES, declareExecs));
        } catch (IOException e) {
            if (mechanism == Mechanism.CONNECTOR) {
                throw e;
            }
            try {
                chosen = Probe.armed(new ProcWalkProbe(tree));
            } catch (IOException walkFailure) {
                walkFailure.addSuppressed(e);
                throw new IOException("neither process probe can be armed: the proc connector: " + e.getMessage()
                        + "; the /proc walk: " + walkFailure.getMessage(), walkFailure);
            }
            whyNotConnector = e.getMessage();
        }
    }


    /** The armed probe; {@code null} before {@link #arm}. */
    public Probe chosen() {
        return chosen;
    }

    /** Why the connector was passed over for the walk, or {@code null} if it was not. */
    public String whyNotConnector() {
        return whyNotConnector;
    }

    @Override
    public int fd() {
        return chosen.fd();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        chosen.onReadable(out);
    }

    @Override
    public boolean processesBehind() {
        return chosen.processesBehind();
    }

    @Override
    public void close() {
        if (chosen != null) {
            chosen.close();
        }
    }
}
