package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Btf;

/**
 * Where the running kernel keeps the members of its structures that the process programs read,
 * from its BTF ({@link Btf}): byte offsets, checked for the size each read assumes.
 *
 * @param taskExitCode {@code task_struct.exit_code} (an {@code int}: the wait status)
 * @param taskMm       {@code task_struct.mm} (a pointer)
 * @param mmArgStart   {@code mm_struct.arg_start}, which {@code arg_end} follows (two {@code unsigned long}s)
 */
record KernelLayout(int taskExitCode, int taskMm, int mmArgStart) {
    /**
     * Reads the offsets from {@code btf}.
     *
     * @throws IllegalStateException if a member is missing, or not of the size or place the programs read
     */
    static KernelLayout of(Btf btf) {
        Btf.Member exitCode = sized(btf, "task_struct", "exit_code", 4);
        Btf.Member mm = sized(btf, "task_struct", "mm", 8);
        Btf.Member argStart = sized(btf, "mm_struct", "arg_start", 8);
        Btf.Member argEnd = sized(btf, "mm_struct", "arg_end", 8);
        if (argEnd.offset() != argStart.offset() + 8) {
            throw new IllegalStateException("this kernel's mm_struct.arg_end does not follow arg_start"
                    + " (offsets " + argStart.offset() + " and " + argEnd.offset() + "): the exec program reads them as one");
        }
        return new KernelLayout(exitCode.offset(), mm.offset(), argStart.offset());
    }

    private static Btf.Member sized(Btf btf, String struct, String member, int size) {
        Btf.Member m = btf.member(struct, member);
        if (m.size() != size) {
            throw new IllegalStateException("this kernel's " + struct + "." + member + " is " + m.size()
                    + " bytes, not the " + size + " the eBPF programs read");
        }
        return m;
    }
}
