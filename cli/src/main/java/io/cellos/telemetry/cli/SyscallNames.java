package io.cellos.telemetry.cli;

import java.util.Map;

/** Names of the x86-64 system calls a cell's denials are about, for people reading a summary. */
final class SyscallNames {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(62, "kill"), Map.entry(101, "ptrace"), Map.entry(129, "rt_sigqueueinfo"),
            Map.entry(200, "tkill"), Map.entry(234, "tgkill"), Map.entry(297, "rt_tgsigqueueinfo"),
            Map.entry(310, "process_vm_readv"), Map.entry(311, "process_vm_writev"),
            Map.entry(424, "pidfd_send_signal"), Map.entry(425, "io_uring_setup"), Map.entry(434, "pidfd_open"),
            Map.entry(165, "mount"), Map.entry(166, "umount2"), Map.entry(169, "reboot"), Map.entry(170, "sethostname"),
            Map.entry(171, "setdomainname"), Map.entry(161, "chroot"), Map.entry(155, "pivot_root"),
            Map.entry(272, "unshare"), Map.entry(308, "setns"), Map.entry(175, "init_module"),
            Map.entry(313, "finit_module"), Map.entry(176, "delete_module"), Map.entry(246, "kexec_load"),
            Map.entry(167, "swapon"), Map.entry(168, "swapoff"), Map.entry(163, "acct"), Map.entry(159, "adjtimex"),
            Map.entry(227, "clock_settime"), Map.entry(164, "settimeofday"), Map.entry(298, "perf_event_open"),
            Map.entry(321, "bpf"), Map.entry(105, "setuid"), Map.entry(106, "setgid"), Map.entry(90, "chmod"),
            Map.entry(92, "chown"), Map.entry(133, "mknod"), Map.entry(160, "setrlimit"), Map.entry(302, "prlimit64"));

    private SyscallNames() {
    }

    /** {@code "kill (62)"}, or {@code "syscall 999"} for one not listed. */
    static String describe(long nr) {
        String name = NAMES.get((int) nr);
        return name == null ? "syscall " + nr : name + " (" + nr + ")";
    }
}
