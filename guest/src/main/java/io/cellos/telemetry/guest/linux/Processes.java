package io.cellos.telemetry.guest.linux;

import io.cellos.telemetry.wire.WaitStatus;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Process control for the init role: spawning a program ({@code posix_spawnp}), waiting for
 * children, signalling, and the end of a machine. Separate from {@link Libc} so that the agent,
 * which needs none of it, never binds these functions.
 *
 * <p>Thread-safe; {@link #spawn} acts for the calling thread, whose seccomp filter the child inherits.
 */
public final class Processes {
    /** {@code clone}'s flag that makes the child its caller's sibling: the caller's parent's child. */
    public static final int CLONE_PARENT = 0x8000;
    /** The "who" of {@code setpriority}: every process of a user. */
    public static final int PRIO_USER = 2;
    /** The "who" of {@code ioprio_set}: every process of a user. */
    public static final int IOPRIO_WHO_USER = 3;
    /** {@code waitpid} option: return at once when no child has changed state. */
    public static final int WNOHANG = 1;
    private static final int PR_SET_DUMPABLE = 4;
    private static final int PR_SET_CHILD_SUBREAPER = 36;

    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    /** Generous upper bounds of glibc's {@code posix_spawnattr_t} (336) and file actions (80). */
    private static final long ATTR_BYTES = 512;
    private static final long ACTIONS_BYTES = 256;

    /** {@code waitpid(pid, status, options)} is {@code wait4(pid, status, options, NULL)}. */
    private static final Syscall WAIT4 = new Syscall("wait4");
    private static final Syscall KILL = new Syscall("kill");
    private static final Syscall REBOOT = new Syscall("reboot");
    private static final int LINUX_REBOOT_MAGIC1 = 0xfee1dead;
    private static final int LINUX_REBOOT_MAGIC2 = 672274793;
    private static final int LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc;
    private static final Syscall EXECVE = new Syscall("execve");
    private static final Syscall SYNC = new Syscall("sync");
    private static final Syscall GETEUID = new Syscall("geteuid");

    /** A child that changed state, and how it ended. */
    public record Exit(int pid, WaitStatus status) {
    }

    private Processes() {
    }

    /**
     * {@code posix_spawn}'s functions, linked when first used: each of their five shapes costs a
     * cold JVM a generated stub (~15 ms here), which the agent, which never spawns, should not pay
     * as it starts (BENCHMARKS.md, "Where the agent's ~340 ms go now").
     */
    private static final class Spawn {
        static final MethodHandle ATTR_INIT = intFunction("posix_spawnattr_init", ADDRESS);
        static final MethodHandle ATTR_DESTROY = intFunction("posix_spawnattr_destroy", ADDRESS);
        static final MethodHandle ATTR_SETFLAGS = intFunction("posix_spawnattr_setflags", ADDRESS, JAVA_SHORT);
        static final MethodHandle ATTR_SETSIGMASK = intFunction("posix_spawnattr_setsigmask", ADDRESS, ADDRESS);
        static final MethodHandle ATTR_SETSIGDEFAULT = intFunction("posix_spawnattr_setsigdefault", ADDRESS, ADDRESS);
        static final MethodHandle ACTIONS_INIT = intFunction("posix_spawn_file_actions_init", ADDRESS);
        static final MethodHandle ACTIONS_DESTROY = intFunction("posix_spawn_file_actions_destroy", ADDRESS);
        static final MethodHandle ACTIONS_CLOSEFROM = intFunction("posix_spawn_file_actions_addclosefrom_np",
                ADDRESS, JAVA_INT);
        static final MethodHandle POSIX_SPAWNP = intFunction("posix_spawnp",
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);

        private Spawn() {
        }

        /** libc's {@code int name(arguments...)}: the family returns 0 or an error number. */
        private static MethodHandle intFunction(String name, MemoryLayout... arguments) {
            return Native.plain(name, FunctionDescriptor.of(JAVA_INT, arguments));
        }
    }

    /**
     * Links {@code posix_spawn}'s functions now if they are not yet: a caller that will {@link #spawn}
     * later pays for it while it waits for something else (init, while its agent starts).
     */
    public static void prepareSpawn() {
        Spawn.POSIX_SPAWNP.type();
    }

    /**
     * Starts {@code argv[0]} (searched in {@code PATH} when it has no slash) as a child of this
     * process, in a new session of its own, with every signal unblocked and at its default
     * disposition, and no descriptor but 0, 1 and 2. The child inherits the calling thread's
     * seccomp filter.
     *
     * @return the child's pid
     * @throws ErrnoException if it cannot be started: {@code ENOENT} not found, {@code EACCES} not executable
     */
    public static int spawn(List<String> argv, List<String> env) throws ErrnoException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("nothing to spawn");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 16);
            MemorySegment actions = arena.allocate(ACTIONS_BYTES, 16);
            MemorySegment empty = Signals.set(arena);
            MemorySegment all = Signals.fullSet(arena);
            MemorySegment pid = arena.allocate(JAVA_INT);
            check("posix_spawnattr_init", (int) Spawn.ATTR_INIT.invokeExact(attr));
            check("posix_spawn_file_actions_init", (int) Spawn.ACTIONS_INIT.invokeExact(actions));
            try {
                check("posix_spawnattr_setflags", (int) Spawn.ATTR_SETFLAGS.invokeExact(attr,
                        (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)));
                check("posix_spawnattr_setsigmask", (int) Spawn.ATTR_SETSIGMASK.invokeExact(attr, empty));
                check("posix_spawnattr_setsigdefault", (int) Spawn.ATTR_SETSIGDEFAULT.invokeExact(attr, all));
                check("posix_spawn_file_actions_addclosefrom_np", (int) Spawn.ACTIONS_CLOSEFROM.invokeExact(actions, 3));
                int rc = (int) Spawn.POSIX_SPAWNP.invokeExact(pid, arena.allocateFrom(argv.getFirst()), actions, attr,
                        stringArray(arena, argv), stringArray(arena, env));
                if (rc != 0) {
                    throw new ErrnoException("posix_spawnp(" + argv.getFirst() + ")", rc);
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignoredA = (int) Spawn.ACTIONS_DESTROY.invokeExact(actions);
                int ignoredB = (int) Spawn.ATTR_DESTROY.invokeExact(attr);
            }
        } catch (ErrnoException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("posix_spawnp through the FFM API", t);
        }
    }

    /**
     * {@code waitpid(pid, &status, options)}, retried when a signal interrupts it.
     *
     * @return the child that changed state, or {@code null} under {@link #WNOHANG} when none has
     * @throws ErrnoException {@code ECHILD} when there is no child to wait for
     */
    public static Exit waitFor(int pid, int options) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                long rc = WAIT4.callOrErrno(pid, status, options, MemorySegment.NULL);
                if (rc == -Errno.EINTR) {
                    continue;
                }
                if (rc < 0) {
                    throw new ErrnoException("waitpid(" + pid + ")", (int) -rc);
                }
                return rc == 0 ? null : new Exit((int) rc, new WaitStatus(status.get(JAVA_INT, 0)));
            }
        }
    }

    /** {@code kill(pid, signal)}: 0, or {@code -errno}. */
    public static int kill(int pid, int signal) {
        return (int) KILL.callOrErrno(pid, signal);
    }

    /**
     * Replaces this process's program with {@code path}, keeping the calling thread's signal mask
     * and seccomp filter; every other thread ends. Returns only by throwing.
     */
    public static void exec(String path, List<String> argv, List<String> env) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            EXECVE.call(path, arena.allocateFrom(path), stringArray(arena, argv), stringArray(arena, env));
        }
        throw new IllegalStateException("execve returned");
    }

    /** This process's environment as {@code execve} takes it: {@code NAME=value} strings. */
    public static List<String> environment() {
        List<String> env = new java.util.ArrayList<>();
        System.getenv().forEach((k, v) -> env.add(k + "=" + v));
        return env;
    }

    /** The effective user id. */
    /**
     * {@code PR_SET_CHILD_SUBREAPER}: orphaned descendants of this process become its children,
     * as they would become a PID namespace's PID 1's.
     */
    public static void becomeChildSubreaper() throws ErrnoException {
        Libc.PRCTL.call("PR_SET_CHILD_SUBREAPER", PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
    }

    /** The children of {@code pid} ({@code "self"}): every thread's {@code /proc/<pid>/task/<tid>/children}. */
    public static List<Integer> children(String pid) throws IOException {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
            for (Path t : tasks) {
                String text;
                try {
                    text = Files.readString(t.resolve("children")).strip();
                } catch (NoSuchFileException gone) {
                    continue;
                }
                for (String c : text.isEmpty() ? new String[0] : text.split(" ")) {
                    out.add(Integer.parseInt(c));
                }
            }
        }
        return out;
    }

    /**
     * Makes this process non-dumpable: no core dump, its {@code /proc/<pid>} files owned by root,
     * and tracing it, reading or writing its memory, or listing it in a {@code hidepid=ptraceable}
     * {@code /proc} needs {@code CAP_SYS_PTRACE}. An {@code execve} undoes it.
     */
    public static void makeNonDumpable() throws ErrnoException {
        Libc.PRCTL.call("PR_SET_DUMPABLE 0", PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
    }

    public static int geteuid() {
        return (int) GETEUID.invoke(0, 0, 0, 0, 0, 0);
    }

    /** Writes every dirty buffer to disk, then powers the machine off; returns only if refused. */
    public static ErrnoException powerOff() {
        SYNC.invoke(0, 0, 0, 0, 0, 0);
        long rc = REBOOT.callOrErrno(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0L);
        return new ErrnoException("reboot(LINUX_REBOOT_CMD_POWER_OFF)", (int) -rc);
    }

    private static MemorySegment stringArray(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(String call, int rc) throws ErrnoException {
        if (rc != 0) {
            throw new ErrnoException(call, rc);
        }
    }
}
