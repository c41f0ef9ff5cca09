package io.cellos.telemetry.guest.probe;

import java.io.IOException;

/**
 * One source of observations, driven by the agent's single event loop.
 *
 * <p>Lifecycle: {@link #arm} once (after it returns, nothing the probe watches goes unobserved),
 * then {@link #onReadable} each time {@link #fd} is readable, then {@link #finish} and {@link #close}. All calls come
 * from the loop thread. A probe owns its fds and native memory and never blocks.
 */
public interface Probe extends AutoCloseable {
    /** What it watches and through which kernel interface, for messages ({@code "processes (netlink proc connector)"}). */
    String description();

    /**
     * Opens the kernel interface and starts observing.
     *
     * @throws IOException saying what could not be armed and why (the errno and the call)
     */
    void arm() throws IOException;

    /** The descriptor the loop waits on; valid after {@link #arm}. */
    int fd();

    /**
     * Handles what is ready without blocking, emitting each observation to {@code out}.
     *
     * @throws IOException only for a failure the probe cannot recover from
     */
    void onReadable(ProbeOutput out) throws IOException;

    /**
     * Called once when the agent stops, before {@link #close}: hands over what the kernel already
     * holds for the probe. The default reads once more; a probe whose kernel interface delivers
     * late may wait for it until {@code deadlineNanos} ({@link System#nanoTime()}).
     *
     * @throws IOException only for a failure the probe cannot recover from
     */
    default void finish(ProbeOutput out, long deadlineNanos) throws IOException {
        onReadable(out);
    }

    /**
     * Whether the last {@link #onReadable} left process messages unread, having bounded its work
     * for that wake: what other probes observed of a process may then be read before the fork that
     * puts the process in scope, and the agent waits before deciding it. Only a process probe says so.
     */
    default boolean processesBehind() {
        return false;
    }

    /**
     * Whether records wait for this probe in memory it reads without a system call (an eBPF ring),
     * which its fd may not have signalled: its programs may leave records for the loop's next wake
     * instead of waking it for each. The loop then reads the probe in any wake. Asking costs no
     * system call.
     */
    default boolean recordsWaiting() {
        return false;
    }

    /**
     * Whether the last {@link #onReadable} stopped at the probe's bound for one wake with records
     * left that no wake-up may signal ({@link #recordsWaiting}): the loop then comes back at once
     * instead of waiting. A probe whose fd stays readable while it holds anything need not say so.
     */
    default boolean stoppedAtBound() {
        return false;
    }

    /**
     * Whether what this probe learns names other probes' events as they leave the agent's queue
     * (the DNS answers that give connects their {@code host}): the agent then reads it once more
     * before it sends a connect that has no name yet, so that what arrived after the wait that woke
     * it is known. An answer always reaches the kernel before the connect it leads to.
     */
    default boolean namesOthersEvents() {
        return false;
    }

    @Override
    void close();

    /**
     * Arms {@code p} and returns it; if arming fails, closes it first, so that a probe that could
     * not be armed holds nothing.
     */
    static <P extends Probe> P armed(P p) throws IOException {
        try {
            p.arm();
            return p;
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }
}
