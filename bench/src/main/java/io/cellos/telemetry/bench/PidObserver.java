package io.cellos.telemetry.bench;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.probe.KnownProcesses;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one process probe on an epoll loop of its own thread (as the agent does) and records the
 * pids it declared spawned. For the spawn-storm and the workload-tax harnesses.
 */
final class PidObserver implements AutoCloseable {
    private final Probe probe;
    private final Set<Integer> spawned = new HashSet<>();
    private final Thread thread;
    private final CompletableFuture<String> armed = new CompletableFuture<>();
    private volatile boolean running = true;
    private long lost;

    PidObserver(Probe probe) {
        this.probe = probe;
        this.thread = Thread.ofPlatform().name("observer").start(this::loop);
    }

    /** Waits until armed; returns the probe's description. */
    String awaitArmed() {
        return armed.join();
    }

    private void loop() {
        ProbeOutput out = new ProbeOutput() {
            @Override
            public void emit(ProbeEvent e) {
                if (e.source() == ProbeSource.PROCESS_SPAWNED) {
                    synchronized (spawned) {
                        spawned.add((int) e.guestPid());
                    }
                }
            }

            @Override
            public void lost(long count) {
                synchronized (spawned) {
                    lost += count;
                }
            }

            @Override
            public KnownProcesses processes() {
                return pid -> true;
            }
        };
        try (Epoll epoll = new Epoll(16)) {
            probe.arm();
            epoll.add(probe.fd(), Epoll.EPOLLIN, 0);
            armed.complete(probe.description());
            while (running) {
                if (epoll.await(50) > 0) {
                    probe.onReadable(out);
                }
            }
        } catch (Exception e) {
            armed.completeExceptionally(e);
        } finally {
            probe.close();
        }
    }

    /** How many of {@code pids} were declared spawned. */
    long seen(Set<Integer> pids) {
        synchronized (spawned) {
            return pids.stream().filter(spawned::contains).count();
        }
    }

    long lost() {
        synchronized (spawned) {
            return lost;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
