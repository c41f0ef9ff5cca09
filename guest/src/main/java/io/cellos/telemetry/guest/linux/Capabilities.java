package io.cellos.telemetry.guest.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Linux capabilities by name, and dropping them from what the calling thread's children can ever
 * have. Capability sets are per thread; a child inherits its creator's.
 */
public final class Capabilities {
    /** The capabilities' names, by number ({@code capability.h}), lower case without {@code CAP_}. */
    private static final List<String> NAMES = List.of("chown", "dac_override", "dac_read_search", "fowner", "fsetid",
            "kill", "setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin",
            "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
            "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
            "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
            "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore");
    private static final Syscall CAPGET = new Syscall("capget");
    private static final Syscall CAPSET = new Syscall("capset");
    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    private static final int PR_CAPBSET_DROP = 24;
    private static final int PR_CAP_AMBIENT = 47;
    private static final int PR_CAP_AMBIENT_CLEAR_ALL = 4;
    /** {@code struct __user_cap_data_struct[2]}: effective, permitted, inheritable, twice. */
    private static final int DATA_BYTES = 24;
    private static final int INHERITABLE_LOW = 8;
    private static final int INHERITABLE_HIGH = 20;

    private Capabilities() {
    }

    /**
     * The number of a capability named {@code name} ({@code sys_admin}, {@code CAP_SYS_ADMIN}, any case).
     *
     * @throws IllegalArgumentException naming the known ones if there is no such capability
     */
    public static int number(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        int i = NAMES.indexOf(n.startsWith("cap_") ? n.substring(4) : n);
        if (i < 0) {
            throw new IllegalArgumentException("no capability named '" + name + "'; the names are " + NAMES);
        }
        return i;
    }

    /** {@code CAP_SYS_ADMIN} for 21. */
    public static String name(int number) {
        return "CAP_" + NAMES.get(number).toUpperCase(Locale.ROOT);
    }

    /**
     * Removes {@code numbers} from the calling thread's bounding and inheritable sets and clears its
     * ambient set: a program it executes (as root or not) can never hold them, nor can its children.
     * Needs {@code CAP_SETPCAP}.
     */
    public static void dropForChildren(Set<Integer> numbers) throws ErrnoException {
        long mask = 0;
        for (int c : numbers) {
            Libc.PRCTL.call("PR_CAPBSET_DROP " + name(c), PR_CAPBSET_DROP, (long) c, 0L, 0L, 0L);
            mask |= 1L << c;
        }
        Libc.PRCTL.call("PR_CAP_AMBIENT_CLEAR_ALL", PR_CAP_AMBIENT, (long) PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(8);
            header.set(JAVA_INT, 0, LINUX_CAPABILITY_VERSION_3);
            header.set(JAVA_INT, 4, 0);
            MemorySegment data = arena.allocate(DATA_BYTES);
            CAPGET.call("capget", header, data);
            data.set(JAVA_INT, INHERITABLE_LOW, data.get(JAVA_INT, INHERITABLE_LOW) & (int) ~mask);
            data.set(JAVA_INT, INHERITABLE_HIGH, data.get(JAVA_INT, INHERITABLE_HIGH) & (int) ~(mask >>> 32));
            CAPSET.call("capset", header, data);
        }
    }

    /** The names of {@code numbers}, in order, for messages. */
    public static List<String> names(Set<Integer> numbers) {
        List<String> out = new ArrayList<>();
        numbers.stream().sorted().forEach(n -> out.add(name(n)));
        return out;
    }
}
