package io.cellos.telemetry.bench;

import io.cellos.telemetry.guest.linux.Epoll;
import io.cellos.telemetry.guest.probe.KnownProcesses;
import io.cellos.telemetry.guest.probe.Probe;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Runs probes on one epoll loop of its own thread (as the agent does, arming them in the order
 * given and reading each when its descriptor is readable) and records the pids declared spawned,
 * the path each exec declared named, and the observations the probes reported lost. For the
 * spawn-storm and the workload-tax harnesses.
 */
final class PidObserver implements AutoCloseable {
    private final List<Probe> probes;
    private final Set<Integer> spawned = new HashSet<>();
    private final Map<Integer, String> execs = new HashMap<>();
    private final Thread thread;
    private final CompletableFuture<String> armed = new CompletableFuture<>();
    private volatile boolean running = true;
    private long lost;

    PidObserver(Probe probe) {
        this(List.of(probe));
    }

    /** @param probes at least one */
    PidObserver(List<Probe> probes) {
        if (probes.isEmpty()) {
            throw new IllegalArgumentException("an observer needs a probe");
        }
        this.probes = List.copyOf(probes);
        this.thread = Thread.ofPlatform().name("observer").start(this::loop);
    }

    /** Waits until armed; returns the probes' descriptions. */
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
                } else if (e.source() == ProbeSource.PROCESS_EXEC) {
                    synchronized (spawned) {
                        execs.put((int) e.guestPid(), e.extensions().path() != null ? e.extensions().path() : "");
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
        List<Probe> on = new ArrayList<>();
        try (Epoll epoll = new Epoll(16)) {
            List<String> described = new ArrayList<>();
            for (Probe p : probes) {
                on.add(p);
                p.arm();
                epoll.add(p.fd(), Epoll.EPOLLIN, on.size() - 1);
                described.add(p.description());
            }
            armed.complete(String.join(" + ", described));
            boolean[] ready = new boolean[probes.size()];
            while (running) {
                int n = epoll.await(50);
                for (int i = 0; i < n; i++) {
                    ready[(int) epoll.token(i)] = true;
                }
                for (int i = 0; i < ready.length; i++) { // in the order given, as the agent reads them
                    if (ready[i]) {
                        ready[i] = false;
                        probes.get(i).onReadable(out);
                    }
                }
            }
        } catch (Exception e) {
            armed.completeExceptionally(e);
        } finally {
            on.forEach(Probe::close);
        }
    }

    /** How many of {@code pids} were declared spawned. */
    long seen(Set<Integer> pids) {
        synchronized (spawned) {
            return pids.stream().filter(spawned::contains).count();
        }
    }

    /** How many of {@code pids} an exec was declared for whose path ends in {@code suffix}. */
    long named(Set<Integer> pids, String suffix) {
        synchronized (spawned) {
            return pids.stream().filter(p -> execs.getOrDefault(p, "").endsWith(suffix)).count();
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
