package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Processes;
import io.cellos.telemetry.guest.linux.Seccomp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts a program under the {@link SeccompGate} from its first instruction.
 *
 * <p>A seccomp filter installed without {@code TSYNC} binds only the thread that installs it, and
 * a child inherits its creating thread's filter. So a fresh thread installs the gate on itself,
 * spawns the program, and ends: the caller's process stays unfiltered, the program is filtered
 * before {@code execve} runs its first instruction.
 *
 * <p>The program's process starts as a copy of that thread, with its name (comm), and takes the
 * program's name only when its exec succeeds. So the thread is named as that exec would name the
 * process, after the program file (the JVM gives a thread's name to the kernel): a program that
 * cannot be run leaves a short-lived child, which exits 127 without running it, named by what it
 * tried to run rather than after this class's thread.
 */
public final class GatedSpawn {
    private GatedSpawn() {
    }

    /**
     * Protects every thread of this process (but the short-lived spawning thread) and of
     * {@code alsoProtect}, then spawns {@code argv} gated and isolated.
     *
     * @param alsoProtect pids (as this process sees them) whose every thread the gate protects too
     * @param isolation   what the workload goes without
     * @return the program's pid
     * @throws GateInstallException if the gate or the isolation cannot be set up (nothing was started)
     * @throws SpawnException       if the program cannot be started under the gate
     */
    public static int spawn(List<String> argv, List<String> env, Collection<Integer> alsoProtect,
                            WorkloadIsolation isolation) throws GateInstallException, SpawnException {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name(commOf(argv.getFirst())).unstarted(() -> {
            try {
                installGate(alsoProtect, isolation);
                result.set(Processes.spawn(argv, env));
            } catch (GateInstallException | RuntimeException e) {
                result.set(e);
            } catch (ErrnoException e) {
                result.set(new SpawnException(argv.getFirst(), e));
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while spawning the workload", e);
        }
        return switch (result.get()) {
            case Integer pid -> pid;
            case GateInstallException e -> throw e;
            case SpawnException e -> throw e;
            case RuntimeException e -> throw e;
            default -> throw new IllegalStateException("the spawning thread left no result");
        };
    }

    /** On the calling thread: isolates it and installs the gate, protecting this process and {@code alsoProtect}. */
    private static void installGate(Collection<Integer> alsoProtect, WorkloadIsolation isolation)
            throws GateInstallException {
        try {
            int self = ThreadIds.current();
            List<Integer> ids = new ArrayList<>();
            for (int tid : ThreadIds.of("self")) {
                if (tid != self) {
                    ids.add(tid);
                }
            }
            addGroup(ids, "self");
            for (int pid : alsoProtect) {
                ids.addAll(ThreadIds.of(Integer.toString(pid)));
                addGroup(ids, Integer.toString(pid));
            }
            SeccompGate gate = new SeccompGate(ids);
            isolation.applyToThisThread(ProtectedCode.of(alsoProtect));
            Seccomp.installOnThisThread(gate.program(), Seccomp.FILTER_FLAG_LOG);
            Seccomp.installOnThisThread(SeccompGate.clone3Fallback(), 0);
        } catch (ErrnoException | IllegalArgumentException e) { // a failed call; more threads than the gate can hold
            throw new GateInstallException(e.getMessage(), e);
        } catch (IOException e) {
            throw new GateInstallException("reading /proc to protect init and isolate the workload: "
                    + e.getMessage(), e);
        }
    }

    /** Adds the process group of {@code pid}, a signal's target as {@code -pgid}, a priority's as {@code who}. */
    private static void addGroup(List<Integer> ids, String pid) throws IOException {
        int group = ThreadIds.processGroup(pid);
        if (group > 0 && !ids.contains(group)) {
            ids.add(group);
        }
    }

    /** The comm an exec of {@code program} gives: its file name (the kernel keeps the first 15 bytes). */
    private static String commOf(String program) {
        return program.substring(program.lastIndexOf('/') + 1);
    }
}
