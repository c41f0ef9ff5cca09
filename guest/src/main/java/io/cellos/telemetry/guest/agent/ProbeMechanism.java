package io.cellos.telemetry.guest.agent;

/**
 * How the agent learns of processes, execs and connects ({@code --probe-mechanism}); declared files
 * are watched by fanotify (or inotify) under each.
 */
public enum ProbeMechanism implements FlagValue {
    /** eBPF when the kernel allows it, audit otherwise. */
    AUTO("auto"),
    /**
     * eBPF programs on tracepoints and cgroup socket hooks: nothing on the path of other system
     * calls. Refused privileged calls are not seen (audit's syscall exit rules see them).
     */
    BPF("bpf"),
    /**
     * Kernel audit's syscall rules and the process connector: every system call of every process
     * takes audit's slow path while the rules are loaded.
     */
    AUDIT("audit");

    private final String flag;

    ProbeMechanism(String flag) {
        this.flag = flag;
    }

    @Override
    public String flag() {
        return flag;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static ProbeMechanism parse(String s) {
        return FlagValue.parse(ProbeMechanism.class, "--probe-mechanism", s);
    }
}
