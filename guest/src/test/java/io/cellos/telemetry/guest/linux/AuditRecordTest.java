package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record cursor on records as this machine's kernel wrote them. */
class AuditRecordTest {
    private static final String SYSCALL = "audit(1795275333.604:136): arch=c000003e syscall=42 success=no exit=-111"
            + " a0=3 a1=558e14c42570 a2=10 a3=7fc85b2f6ac0 items=0 ppid=26876 pid=26918 auid=4294967295 uid=0 gid=0"
            + " euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"bash\""
            + " exe=\"/usr/bin/bash\" key=(null)";

    private final AuditRecord record = new AuditRecord();

    @Test
    void theHeaderGivesTheStampInMillisecondsAndTheSerial() {
        assertTrue(reset(SYSCALL));
        assertEquals(1_795_275_333_604L, record.stampMillis());
        assertEquals(136, record.serial());
    }

    @Test
    void fieldsAreReadInOrderWithTheirValues() {
        reset(SYSCALL);
        assertEquals(0xc000003eL, hexOf("arch"));
        reset(SYSCALL);
        assertEquals(42, decimalOf("syscall"));
        reset(SYSCALL);
        assertEquals(-111, decimalOf("exit"));
        reset(SYSCALL);
        assertEquals(26918, decimalOf("pid"), "pid, not ppid");
        reset(SYSCALL);
        assertEquals("bash", stringOf("comm"));
        reset(SYSCALL);
        assertEquals("", stringOf("key"), "(null) is no string");
    }

    @Test
    void aStringTheKernelDoesNotTrustIsHexEncodedAndDecoded() {
        reset("audit(1.000:1): pid=7 comm=6D792070726F67 exe=\"/x\"");
        assertEquals("my prog", stringOf("comm"));
    }

    @Test
    void aLongStringIsCutToTheDestination() {
        reset("audit(1.000:1): comm=\"abcdefghijklmnopqrstuvwxyz\"");
        byte[] dst = new byte[16];
        assertTrue(record.nextField());
        assertEquals(16, record.string(dst));
        assertEquals("abcdefghijklmnop", new String(dst, StandardCharsets.US_ASCII));
    }

    @Test
    void hexBytesDecodeASockaddr() {
        reset("audit(1795275333.604:136): saddr=020000167F0000010000000000000000");
        byte[] dst = new byte[128];
        assertTrue(record.nextField());
        assertEquals(16, record.hexBytes(dst));
        assertEquals((byte) 0x7f, dst[4]);
    }

    @Test
    void aSeccompCodeReadsWithItsHexPrefix() {
        reset("audit(1795275333.664:138): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=26939 comm=\"python3\""
                + " exe=\"/usr/bin/python3.11\" sig=0 arch=c000003e syscall=170 compat=0 ip=0x7fab8bea2737 code=0x50000");
        assertEquals(0x50000, hexOf("code"));
    }

    @Test
    void anEndOfEventRecordHasAHeaderAndNoFields() {
        assertTrue(reset("audit(1795275333.604:136): \0\0\0"));
        assertEquals(136, record.serial());
        assertFalse(record.nextField());
    }

    @Test
    void malformedHeadersAreRefused() {
        assertFalse(reset("type=1300 msg=audit(1.000:1): pid=1"));
        assertFalse(reset("audit(1.000): pid=1"));
        assertFalse(reset("audit(1.000:1) pid=1"));
        assertFalse(reset("audit(.000:1): pid=1"));
        assertFalse(reset("audit("));
    }

    @Test
    void valuesThatAreNotNumbersSaySo() {
        reset("audit(1.000:1): pid=12x3 arch=zz exit=");
        assertEquals(Long.MIN_VALUE, decimalOf("pid"));
        reset("audit(1.000:1): pid=12x3 arch=zz exit=");
        assertEquals(-1, hexOf("arch"));
        reset("audit(1.000:1): pid=12x3 arch=zz exit=");
        assertEquals(Long.MIN_VALUE, decimalOf("exit"));
    }

    private boolean reset(String text) {
        byte[] bytes = Arrays.copyOf(text.getBytes(StandardCharsets.US_ASCII), text.length() + 8);
        return record.reset(bytes, text.length());
    }

    private void find(String key) {
        byte[] k = AuditRecord.ascii(key);
        while (record.nextField()) {
            if (record.keyIs(k)) {
                return;
            }
        }
        throw new AssertionError("no field " + key);
    }

    private long decimalOf(String key) {
        find(key);
        return record.decimal();
    }

    private long hexOf(String key) {
        find(key);
        return record.hex();
    }

    private String stringOf(String key) {
        find(key);
        byte[] dst = new byte[64];
        int n = record.string(dst);
        return new String(dst, 0, n, StandardCharsets.UTF_8);
    }
}
