package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Btf;

/**
 * Where the running kernel keeps the members of its structures that the process programs read,
 * from its BTF ({@link Btf}): byte offsets, checked for the size each read assumes.
 *
 * @param taskExitCode {@code task_struct.exit_code} (an {@code int}: the wait status)
 * @param taskMm       {@code task_struct.mm} (a pointer)
 * @param mmArgStart   {@code mm_struct.arg_start}, which {@code arg_end} follows (two {@code unsigned long}s)
 * @param executable   where the executed file's inode is described; null on a kernel whose
 *                     structures lack one of its members: the exec program then does not read it
 */
record KernelLayout(int taskExitCode, int taskMm, int mmArgStart, ExecutableLayout executable) {
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
        return new KernelLayout(exitCode.offset(), mm.offset(), argStart.offset(), executable(btf));
    }

    /** The executed file's layout, or null when a member is missing or not of the size read. */
    private static ExecutableLayout executable(Btf btf) {
        Btf.Member sec = btf.memberOrNull("inode", "i_ctime_sec");
        Btf.Member nsec = btf.memberOrNull("inode", "i_ctime_nsec");
        for (String older : new String[]{"__i_ctime", "i_ctime"}) {
            if (sec == null) {
                sec = btf.memberOrNull("inode", older + ".tv_sec");
                nsec = btf.memberOrNull("inode", older + ".tv_nsec");
            }
        }
        Btf.Member[] m = {btf.memberOrNull("mm_struct", "exe_file"), btf.memberOrNull("file", "f_inode"),
                btf.memberOrNull("inode", "i_sb"), btf.memberOrNull("super_block", "s_dev"),
                btf.memberOrNull("inode", "i_ino"), btf.memberOrNull("inode", "i_size"),
                btf.memberOrNull("inode", "i_nlink"), sec, nsec};
        int[] sizes = {8, 8, 8, 4, 8, 8, 4, 8, 4};
        for (int i = 0; i < m.length; i++) {
            // a wider nanoseconds member (an older long tv_nsec) is read by its low half, little-endian
            if (m[i] == null || m[i].size() != sizes[i] && !(i == m.length - 1 && m[i].size() == 8)) {
                return null;
            }
        }
        return new ExecutableLayout(m[0].offset(), m[1].offset(), m[2].offset(), m[3].offset(), m[4].offset(),
                m[5].offset(), m[6].offset(), m[7].offset(), m[8].offset());
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
