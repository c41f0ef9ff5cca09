package io.cellos.telemetry.guest.agent;

/** What the agent does when a probe cannot be armed ({@code --on-agent-failure}). */
public enum FailureMode implements FlagValue {
    /** The agent does not become ready: init stops the cell before the workload starts. */
    FAIL_CELL("fail-cell"),
    /** The agent starts without that probe and says which probes are off. */
    DEGRADE("degrade");

    private final String flag;

    FailureMode(String flag) {
        this.flag = flag;
    }

    @Override
    public String flag() {
        return flag;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static FailureMode parse(String s) {
        return FlagValue.parse(FailureMode.class, "--on-agent-failure", s);
    }
}
