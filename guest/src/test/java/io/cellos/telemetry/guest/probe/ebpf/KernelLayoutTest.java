package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Btf;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Where the exec program finds the executed file's inode: from this kernel's BTF, from an older
 * kernel's change-time member, and, on a kernel that lacks a member, no layout and the member named.
 */
class KernelLayoutTest {
    /** Members every kernel the program reads has, at made-up offsets and the sizes read. */
    private static final Map<String, Btf.Member> COMMON = Map.of("mm_struct.exe_file", new Btf.Member(900, 8),
            "file.f_inode", new Btf.Member(32, 8), "inode.i_sb", new Btf.Member(40, 8),
            "super_block.s_dev", new Btf.Member(16, 4), "inode.i_ino", new Btf.Member(64, 8),
            "inode.i_size", new Btf.Member(80, 8), "inode.i_nlink", new Btf.Member(72, 4));

    private static KernelLayout.Executable of(Map<String, Btf.Member> members) {
        return KernelLayout.executable((struct, path) -> members.get(struct + "." + path));
    }

    private static Map<String, Btf.Member> with(String path, Btf.Member m, String path2, Btf.Member m2) {
        HashMap<String, Btf.Member> all = new HashMap<>(COMMON);
        all.put(path, m);
        all.put(path2, m2);
        return all;
    }

    @Test
    void thisKernelsBtfGivesTheInodesMembers() throws IOException {
        Btf btf = Btf.vmlinux();
        KernelLayout.Executable e = KernelLayout.of(btf).executable();
        assertNull(e.gap());
        assertEquals(btf.member("inode", "i_ino").offset(), e.layout().inodeIno());
        assertEquals(btf.member("mm_struct", "exe_file").offset(), e.layout().mmExeFile());
        assertEquals(btf.member("super_block", "s_dev").offset(), e.layout().sbDev());
    }

    @Test
    void anOlderKernelsChangeTimeIsReadFromItsTimespec() {
        KernelLayout.Executable e = of(with("inode.__i_ctime.tv_sec", new Btf.Member(96, 8),
                "inode.__i_ctime.tv_nsec", new Btf.Member(104, 8)));
        assertNull(e.gap());
        assertEquals(96, e.layout().ctimeSec());
        assertEquals(104, e.layout().ctimeNsec(), "a long tv_nsec, read by its low half");
    }

    @Test
    void aMissingOrResizedMemberIsNamedAndNothingIsRead() {
        KernelLayout.Executable noCtime = of(COMMON);
        assertNull(noCtime.layout());
        assertEquals("this kernel has no inode.i_ctime_sec (nor __i_ctime, i_ctime)", noCtime.gap());

        Map<String, Btf.Member> wideDev = with("inode.i_ctime_sec", new Btf.Member(96, 8),
                "inode.i_ctime_nsec", new Btf.Member(104, 4));
        wideDev.put("super_block.s_dev", new Btf.Member(16, 8));
        assertEquals("this kernel's super_block.s_dev is 8 bytes, not 4", of(wideDev).gap());

        Map<String, Btf.Member> noLinks = with("inode.i_ctime_sec", new Btf.Member(96, 8),
                "inode.i_ctime_nsec", new Btf.Member(104, 4));
        noLinks.remove("inode.i_nlink");
        assertEquals("this kernel has no inode.i_nlink", of(noLinks).gap());
    }
}
