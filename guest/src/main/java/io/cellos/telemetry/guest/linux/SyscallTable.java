package io.cellos.telemetry.guest.linux;

import java.util.HashMap;
import java.util.Map;

/**
 * The x86-64 system call numbers of every call this project makes, filters, audits or names, in
 * one place ({@code arch/x86/entry/syscalls/syscall_64.tbl}). The agent calls through
 * {@link Syscall}, the gate and the audit rules name calls by number, and people read names: all
 * of them look the numbers up here.
 *
 * <p>Immutable.
 */
public final class SyscallTable {
    private static final String TABLE = """
            0 read
            1 write
            2 open
            3 close
            5 fstat
            9 mmap
            11 munmap
            13 rt_sigaction
            14 rt_sigprocmask
            16 ioctl
            39 getpid
            41 socket
            42 connect
            44 sendto
            45 recvfrom
            46 sendmsg
            49 bind
            50 listen
            54 setsockopt
            55 getsockopt
            56 clone
            59 execve
            61 wait4
            62 kill
            72 fcntl
            80 chdir
            83 mkdir
            73 flock
            89 readlink
            90 chmod
            92 chown
            101 ptrace
            105 setuid
            106 setgid
            107 geteuid
            112 setsid
            113 setreuid
            114 setregid
            116 setgroups
            117 setresuid
            119 setresgid
            125 capget
            126 capset
            129 rt_sigqueueinfo
            133 mknod
            137 statfs
            141 setpriority
            142 sched_setparam
            144 sched_setscheduler
            155 pivot_root
            157 prctl
            159 adjtimex
            160 setrlimit
            161 chroot
            162 sync
            163 acct
            164 settimeofday
            165 mount
            166 umount2
            167 swapon
            168 swapoff
            169 reboot
            170 sethostname
            171 setdomainname
            172 iopl
            173 ioperm
            175 init_module
            176 delete_module
            200 tkill
            203 sched_setaffinity
            217 getdents64
            227 clock_settime
            232 epoll_wait
            233 epoll_ctl
            234 tgkill
            246 kexec_load
            251 ioprio_set
            254 inotify_add_watch
            256 migrate_pages
            257 openat
            258 mkdirat
            259 mknodat
            262 newfstatat
            272 unshare
            279 move_pages
            283 timerfd_create
            286 timerfd_settime
            288 accept4
            289 signalfd4
            290 eventfd2
            291 epoll_create1
            293 pipe2
            294 inotify_init1
            297 rt_tgsigqueueinfo
            298 perf_event_open
            300 fanotify_init
            301 fanotify_mark
            302 prlimit64
            303 name_to_handle_at
            304 open_by_handle_at
            305 clock_adjtime
            307 sendmmsg
            308 setns
            310 process_vm_readv
            311 process_vm_writev
            312 kcmp
            313 finit_module
            314 sched_setattr
            317 seccomp
            318 getrandom
            320 kexec_file_load
            321 bpf
            322 execveat
            323 userfaultfd
            424 pidfd_send_signal
            425 io_uring_setup
            434 pidfd_open
            435 clone3
            437 openat2
            438 pidfd_getfd
            440 process_madvise
            448 process_mrelease
            """;
    private static final Map<String, Integer> NUMBERS = new HashMap<>();
    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        for (String line : TABLE.split("\n")) {
            String[] f = line.split(" ");
            int nr = Integer.parseInt(f[0]);
            if (NUMBERS.put(f[1], nr) != null || NAMES.put(nr, f[1]) != null) {
                throw new ExceptionInInitializerError("the system call table names " + line + " twice");
            }
        }
    }

    private SyscallTable() {
    }

    /**
     * The number of call {@code name}.
     *
     * @throws IllegalArgumentException if the table does not have it (a programming error)
     */
    public static int number(String name) {
        Integer nr = NUMBERS.get(name);
        if (nr == null) {
            throw new IllegalArgumentException("no system call " + name + " in the table");
        }
        return nr;
    }

    /** The numbers of {@code names}, in order. */
    public static int[] numbers(String... names) {
        int[] out = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = number(names[i]);
        }
        return out;
    }

    /** The name of call {@code nr}, or null if the table does not have it. */
    public static String name(long nr) {
        return nr < 0 || nr > Integer.MAX_VALUE ? null : NAMES.get((int) nr);
    }

    /** {@code "kill (62)"}, or {@code "syscall 999"} for a call the table does not have: for people reading. */
    public static String describe(long nr) {
        String name = name(nr);
        return name == null ? "syscall " + nr : name + " (" + nr + ")";
    }
}
