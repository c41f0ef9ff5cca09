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
        String ctime = "i_ctime_sec";
        Btf.Member sec = btf.find("inode", "i_ctime_sec");
        Btf.Member nsec = btf.find("inode", "i_ctime_nsec");
        for (String older : new String[]{"__i_ctime", "i_ctime"}) {
            if (sec == null) {
                ctime = older;
                sec = btf.find("inode", older + ".tv_sec");
                nsec = btf.find("inode", older + ".tv_nsec");
            }
        }
        String[] names = {"mm_struct.exe_file", "file.f_inode", "inode.i_sb", "super_block.s_dev", "inode.i_ino",
                "inode.i_size", "inode.i_nlink", sec == null ? "inode.i_ctime_sec (nor __i_ctime, i_ctime)"
                : "inode." + ctime + (ctime.equals("i_ctime_sec") ? "" : ".tv_sec"),
                "inode." + (ctime.equals("i_ctime_sec") ? "i_ctime_nsec" : ctime + ".tv_nsec")};
        Btf.Member[] m = {btf.find("mm_struct", "exe_file"), btf.find("file", "f_inode"), btf.find("inode", "i_sb"),
                btf.find("super_block", "s_dev"), btf.find("inode", "i_ino"), btf.find("inode", "i_size"),
                btf.find("inode", "i_nlink"), sec, nsec};
        int[] sizes = {8, 8, 8, 4, 8, 8, 4, 8, 4};
        for (int i = 0; i < m.length; i++) {
            if (m[i] == null) {
                return new Executable(null, "this kernel has no " + names[i]);
            }
            // a wider nanoseconds member (an older long tv_nsec) is read by its low half, little-endian
            if (m[i].size() != sizes[i] && !(i == m.length - 1 && m[i].size() == 8)) {
                return new Executable(null, "this kernel's " + names[i] + " is " + m[i].size() + " bytes, not "
                        + sizes[i]);
            }
        }
        return new Executable(new ExecutableLayout(m[0].offset(), m[1].offset(), m[2].offset(), m[3].offset(),
                m[4].offset(), m[5].offset(), m[6].offset(), m[7].offset(), m[8].offset()), null);
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
