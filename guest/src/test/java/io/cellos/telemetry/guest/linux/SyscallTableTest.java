package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one table of call numbers, checked against the kernel's own ABI as the C library states it. */
class SyscallTableTest {
    @Test
    void everyNumberIsTheOneTheSystemHeadersGive() throws Exception {
        Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
        String text = Files.readString(header);
        Matcher m = Pattern.compile("#define __NR_([a-z0-9_]+) (\\d+)").matcher(text);
        int checked = 0;
        while (m.find()) {
            String name = SyscallTable.name(Integer.parseInt(m.group(2)));
            if (name != null) {
                assertEquals(m.group(1), name, "call " + m.group(2));
                checked++;
            }
        }
        assertTrue(checked > 100, "only " + checked + " of the table's calls found in " + header);
    }

    @Test
    void namesAndNumbersGoBothWays() {
        assertEquals(62, SyscallTable.number("kill"));
        assertEquals("kill (62)", SyscallTable.describe(62));
        assertEquals("syscall 999", SyscallTable.describe(999));
        assertNull(SyscallTable.name(-1));
        assertThrows(IllegalArgumentException.class, () -> SyscallTable.number("no_such_call"));
    }
}
