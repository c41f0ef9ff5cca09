package io.cellos.telemetry.guest.init;

import io.cellos.telemetry.guest.linux.Errno;
import io.cellos.telemetry.guest.linux.ErrnoException;
import io.cellos.telemetry.guest.linux.Processes;
import io.cellos.telemetry.wire.ExitCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gate as init installs it, on real processes, outside any namespace: a stand-in agent (a
 * {@code sleep}) and this JVM (standing in for init) are protected; a gated Python process tries
 * every vector against each. Signal 0 is used throughout, so that a gate that failed would harm
 * nothing on this machine; the filter refuses the call whatever the signal.
 */
class GatedSpawnTest {
    private static final Path ATTACK = Path.of("src/test/resources/attack.py");
    private static final Set<String> VECTORS = Set.of("kill", "kill_group", "kill_all", "kill_thread", "tkill", "tgkill",
            "rt_sigqueueinfo", "rt_tgsigqueueinfo", "ptrace_attach", "ptrace_seize", "pidfd_open", "pidfd_send_signal",
            "process_vm_readv", "process_vm_writev", "io_uring_setup", "vsock_socket", "pidfd_getfd",
            "open_by_handle_at", "prlimit64", "setpriority", "setpriority_group", "setpriority_user_root",
            "sched_setscheduler", "sched_setparam", "sched_setattr", "sched_setaffinity", "ioprio_set",
            "ioprio_set_user_root", "kcmp", "move_pages", "migrate_pages", "fcntl_setown", "fcntl_setown_group",
            "fcntl_setown_ex", "ioctl_fiosetown", "ioctl_siocspgrp", "process_madvise", "process_mrelease", "reboot",
            "kexec_load", "bpf", "perf_event_open", "netlink_audit_socket", "clone_parent");
    /** What ordinary work does, which the gate must let through. */
    private static final Set<String> ORDINARY = Set.of("own_child", "inet_socket_own", "fcntl_setown_own",
            "netlink_route_socket_own", "setpriority_own", "thread_own", "write_own");

    @TempDir
    Path tmp;
    private Process agent;

    @BeforeEach
    void startStandInAgent() throws Exception {
        agent = new ProcessBuilder("sleep", "60").start();
    }

    @AfterEach
    void stopIt() {
        agent.destroyForcibly();
    }

    @Test
    void everyVectorAgainstTheProtectedAgentIsRefused() throws Exception {
        Map<String, String> results = attack(agent.pid());
        for (String v : VECTORS) {
            if (!v.equals("kill_thread")) { // a sleep has one thread
                assertEquals("Operation_not_permitted:1", results.get(v), v + " against the agent: " + results);
            }
        }
        for (String v : ORDINARY) {
            assertEquals("OK", results.get(v), v + ": ordinary work goes on: " + results);
        }
        assertEquals("No_such_file_or_directory:2", results.get("target_listed"), "the workload's /proc hides it");
        assertEquals("Function_not_implemented:38", results.get("clone3"), "clone3 answers as if there were none");
        for (int i = 0; i < code().size(); i++) {
            assertEquals("Read-only_file_system:30", results.get("code_write_" + i), code().get(i) + " is what init runs");
        }
        assertTrue(agent.isAlive());
    }

    @Test
    void everyThreadOfInitIsProtected() throws Exception {
        Map<String, String> results = attack(ProcessHandle.current().pid());
        for (String v : VECTORS) {
            assertEquals("Operation_not_permitted:1", results.get(v), v + " against init: " + results);
        }
        for (String v : ORDINARY) {
            assertEquals("OK", results.get(v), v + ": ordinary work goes on: " + results);
        }
    }

    @Test
    void aProgramThatIsNotThereIsNotFound() {
        SpawnException e = assertThrows(SpawnException.class,
                () -> GatedSpawn.spawn(List.of("/no/such/program"), List.of(), List.of(), new WorkloadIsolation(Set.of())));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals(ExitCode.NOT_FOUND, e.exitCode());
        assertEquals("/no/such/program: command not found", e.getMessage());
        ErrnoException cause = assertInstanceOf(ErrnoException.class, e.getCause());
        assertTrue(cause.call().startsWith("posix_spawnp"), cause.call());
    }

    /**
     * A gate that cannot be set up — here, a process to protect with more threads than the gate
     * holds — is told apart from a program that cannot be run, and nothing is started.
     */
    @Test
    void aGateThatCannotBeInstalledIsNotASpawnFailure() throws Exception {
        Path ran = tmp.resolve("ran");
        Process crowd = new ProcessBuilder("/usr/bin/python3", "-c", "import threading, time\n"
                + "for _ in range(" + (SeccompGate.MAX_PROTECTED + 10) + "):\n"
                + "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
                + "print('up', flush=True)\ntime.sleep(60)\n").start();
        try (BufferedReader out = crowd.inputReader()) {
            assertEquals("up", out.readLine(), "the crowded process started its threads");
            GateInstallException e = assertThrows(GateInstallException.class, () -> GatedSpawn.spawn(
                    List.of("/usr/bin/touch", ran.toString()), List.of(), List.of((int) crowd.pid()),
                    new WorkloadIsolation(Set.of())));
            assertTrue(e.getMessage().endsWith("ids to protect; at most " + SeccompGate.MAX_PROTECTED), e.getMessage());
            assertFalse(Files.exists(ran), "the program was started");
        } finally {
            crowd.destroyForcibly();
        }
    }

    /** Files this JVM (init's stand-in) runs: its JVM library, the libc it maps, a jar of its class path. */
    private static List<String> code() throws java.io.IOException {
        String libc = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("/libc.so"))
                .map(l -> l.substring(l.indexOf(" /") + 1)).findFirst().orElseThrow();
        String jar = java.util.Arrays.stream(System.getProperty("java.class.path").split(":"))
                .filter(e -> e.endsWith(".jar")).findFirst().orElseThrow();
        return List.of(Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so").toString(), libc,
                Path.of(jar).toAbsolutePath().toString());
    }

    /** Runs the attack script gated, against {@code target}; its report, vector by vector. */
    private Map<String, String> attack(long target) throws Exception {
        Path out = tmp.resolve("attack-" + target + ".txt");
        String tids = String.join(",", Files.list(Path.of("/proc", Long.toString(target), "task"))
                .map(t -> t.getFileName().toString()).toList());
        List<String> argv = List.of("/bin/sh", "-c", "exec /usr/bin/python3 " + ATTACK.toAbsolutePath() + " " + target
                + " 0 " + tids + " " + String.join(",", code()) + " > " + out + " 2>&1");
        int pid = GatedSpawn.spawn(argv, Processes.environment(), List.of((int) agent.pid()),
                new WorkloadIsolation(Set.of()));
        Processes.Exit exit = Processes.waitFor(pid, 0);
        assertEquals(0, exit.status().raw(), "the attack script ended badly: " + Files.readString(out));
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out)) {
            String[] parts = line.split(" ", 2);
            results.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        assertTrue(results.keySet().containsAll(Set.of("kill", "io_uring_setup", "own_child")), results.toString());
        return results;
    }
}
