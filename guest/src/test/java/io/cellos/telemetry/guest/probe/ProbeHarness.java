package io.cellos.telemetry.guest.probe;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Runs one armed probe on a real epoll loop in a thread of its own, as the agent would, and keeps
 * every event it emits so that a test can wait for what it expects.
 */
public final class ProbeHarness implements AutoCloseable {
    private final Probe probe;
    private final List<ProbeEvent> events = new ArrayList<>();
    private final AtomicLong lost = new AtomicLong();
    private final KnownProcesses scope;
    private final Thread thread;
    private final CountDownLatch armed = new CountDownLatch(1);
    /** Held by the loop for each turn, and by a test between {@link #pause} and {@link #resume}. */
    private final ReentrantLock turn = new ReentrantLock();
    private volatile boolean running = true;
    private volatile Throwable failure;
    private static final Duration FINISH_PATIENCE = Duration.ofSeconds(5);

    /** Arms {@code probe} on the harness thread and returns once it is armed (or failed to arm). */
    public static ProbeHarness start(Probe probe) throws Exception {
        return start(probe, pid -> true);
    }

    public static ProbeHarness start(Probe probe, KnownProcesses scope) throws Exception {
        ProbeHarness h = new ProbeHarness(probe, scope);
        h.armed.await();
        if (h.failure != null) {
            h.close();
            if (h.failure instanceof Exception e) {
                throw e;
            }
            throw new AssertionError(h.failure);
        }
        return h;
    }

    private ProbeHarness(Probe probe, KnownProcesses scope) {
        this.probe = probe;
        this.scope = scope;
        this.thread = Thread.ofPlatform().name("probe-harness").start(this::loop);
    }

    private void loop() {
        ProbeOutput out = new ProbeOutput() {
            @Override
            public void emit(ProbeEvent event) {
                synchronized (events) {
                    events.add(event);
                    events.notifyAll();
                }
            }

            @Override
            public void lost(long count) {
                lost.addAndGet(count);
            }

            @Override
            public KnownProcesses processes() {
                return scope;
            }

            @Override
            public void tampered(int actorPid, String actorComm, String what) {
                emit(new ProbeEvent(Wire.VERSION_1_1, ProbeSource.AGENT_TAMPERED,
                        actorPid > 0 ? actorPid : ProcessHandle.current().pid(),
                        actorComm == null ? "" : actorComm, System.nanoTime(), Extensions.NONE.withWhat(what)));
            }
        };
        try (Epoll epoll = new Epoll(16)) {
            probe.arm();
            armed.countDown();
            epoll.add(probe.fd(), Epoll.EPOLLIN, 1);
            while (running) {
                turn.lock();
                try {
                    if (epoll.await(50) > 0) {
                        probe.onReadable(out);
                    }
                } finally {
                    turn.unlock();
                }
            }
            probe.finish(out, System.nanoTime() + FINISH_PATIENCE.toNanos()); // as the agent does when it stops
        } catch (Throwable t) {
            failure = t;
            armed.countDown();
        } finally {
            probe.close();
        }
    }

    /**
     * Returns once the loop has stopped reading, which it does not again until {@link #resume} (on
     * the same thread): what happens meanwhile waits in the probe's kernel buffers, and the probe
     * reads it later, as an agent whose loop fell behind would.
     */
    public void pause() {
        turn.lock();
    }

    public void resume() {
        turn.unlock();
    }

    /** Events emitted so far. */
    public List<ProbeEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The probe's loop failure, with its stack, or {@code "running"}: for a test's failure message. */
    public String state() {
        Throwable f = failure;
        if (f == null) {
            return running && thread.isAlive() ? "running" : "stopped";
        }
        java.io.StringWriter w = new java.io.StringWriter();
        f.printStackTrace(new java.io.PrintWriter(w));
        return "failed: " + w;
    }

    /** Losses the probe reported. */
    public long lost() {
        return lost.get();
    }

    /**
     * Waits until {@code count} events match; fails with what was seen after {@code patience}.
     * Patience is generous: this is not a timing assertion.
     */
    public List<ProbeEvent> await(Predicate<ProbeEvent> match, int count, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        synchronized (events) {
            while (true) {
                if (failure != null) {
                    throw new AssertionError("the probe failed", failure);
                }
                List<ProbeEvent> m = events.stream().filter(match).toList();
                if (m.size() >= count) {
                    return m;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("waited " + patience + " for " + count + " events, have " + m.size()
                            + "; last events: " + events.subList(Math.max(0, events.size() - 10), events.size()));
                }
                events.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Stops the loop, lets the probe {@linkplain Probe#finish finish} as the agent does, and closes it. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
