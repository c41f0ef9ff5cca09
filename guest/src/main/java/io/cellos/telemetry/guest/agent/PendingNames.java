package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.wire.ProbeEvent;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Events whose process could not be named when they were read — it was gone from {@code /proc},
 * and the name the agent heard for it was taken back by an exec it saw (a file event, an exit) —
 * held a moment for the name audit's exec record brings: that record travels through the kernel's
 * audit queue and can arrive after the event. Released named at the end of the first wake that
 * brought the name, or unnamed after {@link #WAIT_NANOS}; never dropped.
 *
 * <p>Confined to the agent's loop thread.
 */
final class PendingNames {
    /** How long an event waits for its process's name. */
    static final long WAIT_NANOS = 250_000_000L;

    private record Held(ProbeEvent event, long deadline) {
    }

    private final int capacity;
    private final ArrayDeque<Held> held = new ArrayDeque<>();

    /** @param capacity events held at most; beyond, an event goes on unnamed at once */
    PendingNames(int capacity) {
        this.capacity = capacity;
    }

    /** Holds {@code event} until its name comes or {@link #WAIT_NANOS} passes; false when full. */
    boolean hold(ProbeEvent event, long now) {
        if (held.size() >= capacity) {
            return false;
        }
        held.addLast(new Held(event, now + WAIT_NANOS));
        return true;
    }

    /** Releases, named, every held event whose process {@code nameOf} can name now. */
    void releaseNamed(IntFunction<String> nameOf, Consumer<ProbeEvent> release) {
        if (held.isEmpty()) {
            return; // the usual case, at the end of every wake: no iterator made
        }
        for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            ProbeEvent e = it.next().event();
            String comm = nameOf.apply((int) e.guestPid());
            if (comm != null) {
                it.remove();
                release.accept(new ProbeEvent(e.contentVersion(), e.source(), e.guestPid(), comm, e.guestMonotonicNs(),
                        e.extensions()));
            }
        }
    }

    /** Releases, as they are, the events whose wait is over. */
    void releaseDue(long now, Consumer<ProbeEvent> release) {
        while (!held.isEmpty() && now - held.peekFirst().deadline() >= 0) {
            release.accept(held.pollFirst().event());
        }
    }

    /** Releases every held event as it is. */
    void releaseAll(Consumer<ProbeEvent> release) {
        while (!held.isEmpty()) {
            release.accept(held.pollFirst().event());
        }
    }

    /** When the next wait ends ({@link System#nanoTime()}), or {@link Long#MAX_VALUE} when none is held. */
    long nextDeadline() {
        return held.isEmpty() ? Long.MAX_VALUE : held.peekFirst().deadline();
    }
}
