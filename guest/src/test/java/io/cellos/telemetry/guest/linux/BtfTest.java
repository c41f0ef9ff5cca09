package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The running kernel's BTF, read by {@link Btf} and cross-checked against Debian's {@code bpftool}. */
class BtfTest {
    private static Btf btf;
    private static String raw;

    @BeforeAll
    static void read() throws IOException, InterruptedException {
        btf = Btf.vmlinux();
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", Btf.VMLINUX.toString(), "format", "raw")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        raw = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "bpftool btf dump");
    }

    /** The members the eBPF probes read, where bpftool says they lie. */
    @ParameterizedTest
    @CsvSource({"task_struct,exit_code", "task_struct,mm", "task_struct,tgid", "linux_binprm,file"})
    void aDirectMemberLiesWhereBpftoolSays(String struct, String member) {
        assertEquals(bpftoolOffset(struct, member), btf.member(struct, member).offset());
    }

    @Test
    void aMemberOfAnAnonymousStructInsideIsFoundAtItsOffsetPlusTheAnonymousOnes() {
        // mm_struct keeps its fields in an anonymous struct (6.x): the offset is the sum of both
        Btf.Member start = btf.member("mm_struct", "arg_start");
        Btf.Member end = btf.member("mm_struct", "arg_end");
        assertEquals(8, start.size());
        assertEquals(start.offset() + 8, end.offset(), "arg_end follows arg_start in <linux/mm_types.h>");
        assertTrue(start.offset() > 0);
    }

    @Test
    void sizesFollowTheTypeThroughTypedefsAndArrays() {
        assertEquals(4, btf.member("task_struct", "exit_code").size(), "int");
        assertEquals(8, btf.member("task_struct", "mm").size(), "a pointer");
        assertEquals(16, btf.member("task_struct", "comm").size(), "char[TASK_COMM_LEN]");
    }

    @Test
    void aMissingStructOrMemberIsNamedInTheError() {
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> btf.member("no_such_struct", "x"));
        assertTrue(s.getMessage().contains("no struct no_such_struct"), s.getMessage());
        IllegalStateException m = assertThrows(IllegalStateException.class, () -> btf.member("task_struct", "no_such"));
        assertTrue(m.getMessage().contains("struct task_struct has no member no_such"), m.getMessage());
        assertNull(btf.memberOrNull("task_struct", "no_such"), "asked for a member that may have moved: null");
        assertThrows(IllegalStateException.class, () -> btf.memberOrNull("no_such_struct", "x"));
        assertEquals(btf.member("inode", "i_ino"), btf.memberOrNull("inode", "i_ino"));
    }

    /** The kfuncs the eBPF probes call, at the id bpftool gives them. */
    @ParameterizedTest
    @CsvSource({"bpf_cast_to_kern_ctx", "bpf_task_from_pid"})
    void aFunctionsIdIsTheOneBpftoolLists(String function) {
        assertEquals(bpftoolFunctionId(function), btf.functionId(function));
    }

    @Test
    void aMissingFunctionIsNamedInTheError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> btf.functionId("no_such_function"));
        assertTrue(e.getMessage().contains("no function no_such_function"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> btf.functionId("task_struct"));
        assertTrue(s.getMessage().contains("no function task_struct"), "a struct is not a function: " + s.getMessage());
    }

    @Test
    void dataThatIsNotBtfIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Btf.parse(new byte[64]));
        byte[] header = {(byte) 0x9f, (byte) 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Btf.parse(header));
        assertTrue(e.getMessage().contains("type section lies outside"), e.getMessage());
    }

    /** The id bpftool's raw dump gives the function {@code name}: {@code [ID] FUNC 'name'}. */
    private static int bpftoolFunctionId(String name) {
        Matcher m = Pattern.compile("^\\[(\\d+)] FUNC '" + name + "' ", Pattern.MULTILINE).matcher(raw);
        assertTrue(m.find(), "bpftool lists function " + name);
        return Integer.parseInt(m.group(1));
    }

    /** The byte offset bpftool's raw dump gives {@code member} of the first {@code struct} with members. */
    private static int bpftoolOffset(String struct, String member) {
        Matcher m = Pattern.compile("STRUCT '" + struct + "' size=\\d+ vlen=[1-9]\\d*\\n((?:\\t.*\\n)+)").matcher(raw);
        assertTrue(m.find(), "bpftool lists struct " + struct);
        Matcher f = Pattern.compile("\\t'" + member + "' type_id=\\d+ bits_offset=(\\d+)\\n").matcher(m.group(1));
        assertTrue(f.find(), "bpftool lists " + struct + "." + member);
        return Integer.parseInt(f.group(1)) / 8;
    }
}
