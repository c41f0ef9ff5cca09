import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * wakefloor's loop in Java: the reader's part, through the FFM API as the agent makes its system
 * calls (libc's {@code syscall()} with six longs, errno captured), and nothing else. Run by
 * wakefloor, which passes the eventfd's and the socket's descriptors, EVENTS and MODE:
 *
 * <pre>wakefloor RATE EVENTS wake|send java --enable-native-access=ALL-UNNAMED [JVM flags] WakeFloor.java</pre>
 *
 * Prints the loop thread's run time (its {@code schedstat}, the scheduler's exact figure) and the
 * whole JVM's ({@code /proc/self/stat} ticks), from the first event to the last, per event.
 */
public final class WakeFloor {
    private static final long EPOLL_CREATE1 = 291, EPOLL_CTL = 233, EPOLL_WAIT = 232, READ = 0, SENDTO = 44;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemorySegment STATE = Arena.global().allocate(Linker.Option.captureStateLayout());
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));

    private static long call(long n, long a, long b, long c, long d) throws Throwable {
        return (long) SYSCALL.invokeExact(STATE, n, a, b, c, d, 0L, 0L);
    }

    public static void main(String[] args) throws Throwable {
        int efd = Integer.parseInt(args[0]), sock = Integer.parseInt(args[1]);
        long events = Long.parseLong(args[2]);
        boolean sendToo = args[3].equals("send");
        MemorySegment event = Arena.global().allocate(16), count = Arena.global().allocate(8),
                frame = Arena.global().allocate(96);
        frame.fill((byte) 0xa5);
        long ep = call(EPOLL_CREATE1, 0, 0, 0, 0);
        event.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 1); // EPOLLIN
        if (ep < 0 || call(EPOLL_CTL, ep, 1, efd, event.address()) != 0) {
            throw new IllegalStateException("epoll set-up failed");
        }
        long seen = 0, wakes = 0, thread0 = 0, jvm0 = 0;
        while (seen < events) {
            if (call(EPOLL_WAIT, ep, event.address(), 1, -1) != 1) {
                continue;
            }
            if (call(READ, efd, count.address(), 8, 0) != 8) {
                continue;
            }
            if (wakes == 0) {
                thread0 = threadNanos();
                jvm0 = jvmTicks();
            }
            seen += count.get(JAVA_LONG, 0);
            wakes++;
            if (sendToo && call(SENDTO, sock, frame.address(), 96, 0x4000 /* MSG_NOSIGNAL */) != 96) {
                throw new IllegalStateException("send failed");
            }
        }
        double thread = (threadNanos() - thread0) / 1e3, jvm = (jvmTicks() - jvm0) * 1e6 / 100;
        System.out.printf("java mode=%s events=%d wakes=%d loop_thread per_event=%.2f us per_wake=%.2f us"
                        + " whole_jvm per_event=%.2f us (ticks) per_1000_events=%.1f ms%n",
                args[3], seen, wakes, thread / seen, thread / wakes, jvm / seen, jvm / seen);
    }

    /** This thread's run time in ns: the first field of its schedstat. */
    private static long threadNanos() throws Exception {
        return Long.parseLong(Files.readString(Path.of("/proc/thread-self/schedstat")).split(" ")[0]);
    }

    /** The JVM's utime+stime in ticks (USER_HZ 100). */
    private static long jvmTicks() throws Exception {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
