package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Btf;

/**
 * Where the running kernel keeps the members of its structures that the process programs read,
 * from its BTF ({@link Btf}): byte offsets, checked for the size each read assumes.
 *
 * @param taskExitCode {@code task_struct.exit_code} (an {@code int}: the wait status)
 * @param taskMm       {@code task_struct.mm} (a pointer)
 * @param mmArgStart   {@code mm_struct.arg_start}, which {@code arg_end} follows (two {@code unsigned long}s)
 * @param executable   where the executed file's inode is described, or why this kernel's structures
 *                     do not say: the exec program then does not read it
 */
record KernelLayout(int taskExitCode, int taskMm, int mmArgStart, Executable executable) {
    /** A member of a kernel structure, or null when this kernel's has none of that name ({@link Btf#memberOrNull}). */
    @FunctionalInterface
    interface Members {
        Btf.Member find(String struct, String path);
    }

    /**
     * The executed file's layout, or, when a member it needs is missing or not of the size read,
     * null and {@code gap}, which names the member.
     */
    record Executable(ExecutableLayout layout, String gap) {
    }

    /**
     * The path from a process's memory map to the inode of the file it executes, and the inode's
     * members that key that file's hash ({@code io.cellos.telemetry.guest.exec.FileKey}).
     *
     * @param mmExeFile   {@code mm_struct.exe_file} (a pointer to the {@code struct file} executed)
     * @param fileInode   {@code file.f_inode} (a pointer)
     * @param inodeSb     {@code inode.i_sb} (a pointer to its {@code super_block})
     * @param sbDev       {@code super_block.s_dev} (a {@code dev_t}, 4 bytes)
     * @param inodeIno    {@code inode.i_ino} (8 bytes)
     * @param inodeSize   {@code inode.i_size} (8 bytes)
     * @param inodeLinks  {@code inode.i_nlink} (4 bytes)
     * @param ctimeSec    the change time's seconds (8 bytes): {@code i_ctime_sec} since Linux 6.11,
     *                    {@code __i_ctime.tv_sec} or {@code i_ctime.tv_sec} before
     * @param ctimeNsec   its nanoseconds, read as 4 bytes (the low half of an older {@code long tv_nsec})
     */
    record ExecutableLayout(int mmExeFile, int fileInode, int inodeSb, int sbDev, int inodeIno, int inodeSize,
                            int inodeLinks, int ctimeSec, int ctimeNsec) {
    }

    /**
     * Reads the offsets from {@code btf}.
     *
     * @throws IllegalStateException if a member the programs need is missing, or not of the size or
     *                               place they read
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
        return new KernelLayout(exitCode.offset(), mm.offset(), argStart.offset(), executable(btf::memberOrNull));
    }

    /** The executed file's layout as {@code btf} gives it, or the member it lacks. */
    static Executable executable(Members btf) {
        String sec = "inode.i_ctime_sec";
        String nsec = "inode.i_ctime_nsec";
        for (String older : new String[]{"__i_ctime", "i_ctime"}) {
            if (find(btf, sec) == null) {
                sec = "inode." + older + ".tv_sec";
                nsec = "inode." + older + ".tv_nsec";
            }
        }
        String[] paths = {"mm_struct.exe_file", "file.f_inode", "inode.i_sb", "super_block.s_dev", "inode.i_ino",
                "inode.i_size", "inode.i_nlink", sec, nsec};
        int[] sizes = {8, 8, 8, 4, 8, 8, 4, 8, 4};
        int[] offsets = new int[paths.length];
        for (int i = 0; i < paths.length; i++) {
            Btf.Member m = find(btf, paths[i]);
            if (m == null) {
                return new Executable(null, "this kernel has no "
                        + (paths[i].equals(sec) ? "inode.i_ctime_sec (nor __i_ctime, i_ctime)" : paths[i]));
            }
            // a wider nanoseconds member (an older long tv_nsec) is read by its low half, little-endian
            if (m.size() != sizes[i] && !(paths[i].equals(nsec) && m.size() == 8)) {
                return new Executable(null, "this kernel's " + paths[i] + " is " + m.size() + " bytes, not " + sizes[i]);
            }
            offsets[i] = m.offset();
        }
        return new Executable(new ExecutableLayout(offsets[0], offsets[1], offsets[2], offsets[3], offsets[4],
                offsets[5], offsets[6], offsets[7], offsets[8]), null);
    }

    /** The member {@code "struct.path"}, or null. */
    private static Btf.Member find(Members btf, String structPath) {
        int dot = structPath.indexOf('.');
        return btf.find(structPath.substring(0, dot), structPath.substring(dot + 1));
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
