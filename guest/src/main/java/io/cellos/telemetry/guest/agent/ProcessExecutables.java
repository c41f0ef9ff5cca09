package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.ProcFs;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.Wire;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Gives every {@code net.connect_attempted}, {@code net.raw_socket_opened}, {@code fs.inotify_fired}
 * and {@code capability.denied} of a process the {@code exe} and {@code sha256} of the program it runs (protocol.md §4), on the
 * way from {@link ExecDigests} into the queue: {@code guest_comm} is the process's to set
 * ({@code prctl(PR_SET_NAME)}), the executable is the kernel's.
 *
 * <p><b>What it remembers.</b> Per live process, the path and {@code sha256} of its last
 * {@code process.exec} as the exec leaves {@link ExecDigests} (complete, or without its hash when
 * that was late or failed); events come in each process's order, so an exec is always seen
 * before the later events of its process. A {@code process.spawned} gives the child its parent's
 * entry — a forked child runs its parent's program until it execs — and a {@code process.exited}
 * forgets the process.
 *
 * <p><b>The path.</b> Under {@code audit} and from the process connector an exec's {@code path} is
 * the kernel's ({@code exe}, {@code /proc/PID/exe}) and is taken as it is. Under {@code bpf} it is
 * the name {@code execve} was given: taken when it is absolute, but a relative name, and
 * {@code /proc/self/fd/N} or {@code /dev/fd/N} (an {@code fexecve} of a memfd, say), mean nothing
 * outside the process, so for those {@code /proc/PID/exe} is read instead, once, at the process's
 * first event that wants it. A process whose exec the agent never saw (older than the agent, such
 * as init; or born before the agent's process probe heard its spawn) has {@code /proc/PID/exe}
 * read once at its first such event, and no {@code sha256}. When that read fails (the process is
 * gone, or a kernel thread) the event goes without {@code exe}, and the process is not asked again.
 * The read is a {@code readlink(2)} through {@link ProcFs}, made rarely enough that it opens its
 * buffers for the one call.
 *
 * <p><b>Never at the event's cost.</b> An event whose {@code exe} would make its body pass
 * {@link Wire#MAX_BODY_BYTES} (a path of thousands of bytes) goes without {@code exe}: a long path
 * must not cost the connect itself. An event that already carries a key keeps it. The agent's own
 * events (the inotify fallback names the agent as the actor of a file event) are left as they are.
 *
 * <p><b>Bounds.</b> At most {@link #CAPACITY} processes are remembered, the least recently used
 * forgotten first (a forgotten process that speaks again has {@code /proc/PID/exe} read, without
 * {@code sha256}). Confined to the agent's loop thread; owns no native memory between calls.
 */
final class ProcessExecutables implements Consumer<ProbeEvent> {
    /** The most processes remembered: live processes of a busy guest, with room. */
    static final int CAPACITY = 16_384;
    /**
     * Bytes of a body besides its text values, at most: 18 keys of under 20 bytes with their heads,
     * integers of 9 bytes, text heads of 3. An event whose texts, at 3 bytes a char, fit beside this
     * surely fits; only a longer one is encoded to find out.
     */
    private static final int BODY_BESIDE_TEXTS = 18 * (20 + 9);

    /** What is known of one process's program; {@code exe} null and not {@code read}: ask {@code /proc}. */
    private record Program(String exe, String sha256, boolean read) {
    }

    private final Consumer<ProbeEvent> sink;
    private final IntFunction<String> readExe;
    private final int agentPid;
    private final Map<Integer, Program> byPid;
    private final FrameEncoder encoder = new FrameEncoder();
    private final byte[] scratch = new byte[Wire.MAX_FRAME_BYTES];

    /**
     * @param sink     where every event goes on, annotated or not (the queue)
     * @param readExe  {@code /proc/PID/exe} of a pid, or null when it cannot be read ({@link #readLink})
     * @param agentPid the agent's own pid, whose events are left alone
     * @param capacity the most processes remembered
     */
    ProcessExecutables(Consumer<ProbeEvent> sink, IntFunction<String> readExe, int agentPid, int capacity) {
        this.sink = sink;
        this.readExe = readExe;
        this.agentPid = agentPid;
        this.byPid = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Program> eldest) {
                return size() > capacity;
            }
        };
    }

    /** {@code readlink /proc/PID/exe}, or null if it cannot be read. */
    static String readLink(int pid) {
        try (ProcFs proc = new ProcFs()) {
            return proc.exe(pid);
        }
    }

    @Override
    public void accept(ProbeEvent e) {
        int pid = (int) e.guestPid();
        switch (e.source()) {
            case PROCESS_EXEC -> {
                String path = e.extensions().path();
                boolean usable = path != null && path.startsWith("/") && !path.startsWith("/proc/self/fd/")
                        && !path.startsWith("/dev/fd/");
                byPid.put(pid, new Program(usable ? path : null, e.extensions().sha256(), usable));
            }
            case PROCESS_SPAWNED -> {
                Long parent = e.extensions().parentPid();
                Program inherited = parent == null ? null : byPid.get(parent.intValue());
                if (inherited != null) {
                    byPid.put(pid, inherited);
                } else {
                    byPid.remove(pid); // a pid used again: what was known of it is someone else's
                }
            }
            case PROCESS_EXITED -> byPid.remove(pid);
            case NET_CONNECT_ATTEMPTED, NET_RAW_SOCKET_OPENED, FS_INOTIFY_FIRED, CAPABILITY_DENIED -> {
                if (pid != agentPid) {
                    e = annotated(e, program(pid));
                }
            }
            default -> {
            }
        }
        sink.accept(e);
    }

    /** How many processes are remembered. */
    int size() {
        return byPid.size();
    }

    private Program program(int pid) {
        Program p = byPid.get(pid);
        if (p == null || !p.read()) {
            p = new Program(readExe.apply(pid), p == null ? null : p.sha256(), true);
            byPid.put(pid, p);
        }
        return p;
    }

    private ProbeEvent annotated(ProbeEvent e, Program p) {
        Extensions x = e.extensions();
        Extensions y = x;
        if (y.sha256() == null && p.sha256() != null) {
            y = y.withSha256(p.sha256());
        }
        if (y.exe() == null && p.exe() != null) {
            Extensions withExe = y.withExe(p.exe());
            if (surelyFits(e, withExe) || fits(e.withExtensions(withExe))) {
                y = withExe;
            }
        }
        return y == x ? e : e.withExtensions(y);
    }

    private static boolean surelyFits(ProbeEvent e, Extensions x) {
        long chars = e.guestComm().length() + e.source().wireName().length() + length(x.path()) + length(x.peer())
                + length(x.session()) + length(x.what()) + length(x.cmdline()) + length(x.sha256()) + length(x.host())
                + length(x.exe());
        return 3 * chars + BODY_BESIDE_TEXTS <= Wire.MAX_BODY_BYTES;
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private boolean fits(ProbeEvent e) {
        try {
            encoder.encode(e, scratch, 0);
            return true;
        } catch (FrameException tooLarge) {
            return false; // the event goes without exe, as the javadoc says
        }
    }
}
