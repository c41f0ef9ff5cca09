package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.linux.AuditRecord;
import io.cellos.telemetry.guest.linux.AuditStatus;
import io.cellos.telemetry.guest.probe.ProbeOutput;
import io.cellos.telemetry.guest.probe.RecordingOutput;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records in, observations out: the assembler fed record texts as this machine's kernel wrote them
 * (serials and pids changed where a case needs it).
 */
class AuditEventAssemblerTest {
    private static final long STAMP = 1_795_275_333_604L;
    private static final String TCP_CONNECT = "arch=c000003e syscall=42 success=no exit=-111 a0=3 a1=558e14c42570"
            + " a2=10 a3=7fc85b2f6ac0 items=0 ppid=%d pid=%d auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0"
            + " egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"bash\" exe=\"/usr/bin/bash\" key=(null)";
    private static final String TO_LOCALHOST_22 = "saddr=020000167F0000010000000000000000";
    /** Family 10, port 443, flow info, ::1, scope 0. */
    private static final String TO_IPV6_LOCALHOST_443 = "saddr=0A0001BB" + "00000000" + "0".repeat(30) + "01" + "00000000";
    private static final String TO_NSCD = "saddr=01002F7661722F72756E2F6E7363642F736F636B6574000051308C68E67F0000";
    private static final String REFUSED_SETHOSTNAME = "arch=c000003e syscall=170 success=no exit=-1"
            + " a0=55b16d9ca2a0 a1=1 a2=55b16d9ca2a0 a3=7f4588f44878 items=0 ppid=26497 pid=26611 auid=4294967295"
            + " uid=65534 gid=65534 euid=65534 suid=65534 fsuid=65534 egid=65534 sgid=65534 fsgid=65534 tty=(none)"
            + " ses=4294967295 comm=\"hostname\" exe=\"/usr/bin/hostname\" key=(null)";
    private static final String SECCOMP = "auid=4294967295 uid=0 gid=0 ses=4294967295 pid=26939 comm=\"python3\""
            + " exe=\"/usr/bin/python3.11\" sig=0 arch=%s syscall=%d compat=0 ip=0x7fab8bea2737 code=%s";

    private final AuditEventAssembler assembler =
            new AuditEventAssembler(new AuditRuleSet(1, new AuditStatus(0, 1, 0, 0, 64, 0, 0, 0, 15000), false), 4,
                    change -> { });
    private final AuditRecord record = new AuditRecord();
    private final RecordingOutput out = new RecordingOutput();

    /**
     * A TCP Fast Open connects in a {@code sendto} or {@code sendmmsg} with {@code MSG_FASTOPEN} in
     * its fourth argument or a {@code sendmsg} with it in its third; another consumer's rule may bring the agent the
     * records of other sends, which are no connect.
     */
    @Test
    void aSendWithMsgFastOpenIsAConnectAndNoOtherSendIs() {
        String send = "arch=c000003e syscall=%d success=no exit=-111 a0=3 a1=7ffd2a1b3c40 a2=%x a3=%x items=0"
                + " ppid=26876 pid=%d auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0"
                + " tty=(none) ses=4294967295 comm=\"python3\" exe=\"/usr/bin/python3.11\" key=(null)";
        assembler.clock(10_000_000_000L, STAMP + 3);
        feed(AuditRecord.SYSCALL, 140, send.formatted(44, 5, AuditRuleSet.MSG_FASTOPEN, 30001));
        feed(AuditRecord.SOCKADDR, 140, TO_LOCALHOST_22);
        feed(AuditRecord.EOE, 140, "");
        feed(AuditRecord.SYSCALL, 141, send.formatted(46, AuditRuleSet.MSG_FASTOPEN, 0, 30002));
        feed(AuditRecord.SOCKADDR, 141, TO_LOCALHOST_22);
        feed(AuditRecord.EOE, 141, "");
        feed(AuditRecord.SYSCALL, 142, send.formatted(44, 5, 0, 30003));
        feed(AuditRecord.SOCKADDR, 142, TO_LOCALHOST_22);
        feed(AuditRecord.EOE, 142, "");
        feed(AuditRecord.SYSCALL, 143, send.formatted(46, 0, AuditRuleSet.MSG_FASTOPEN, 30004));
        feed(AuditRecord.SOCKADDR, 143, TO_LOCALHOST_22);
        feed(AuditRecord.EOE, 143, "");
        feed(AuditRecord.SYSCALL, 144, send.formatted(307, 1, AuditRuleSet.MSG_FASTOPEN, 30005));
        feed(AuditRecord.SOCKADDR, 144, TO_LOCALHOST_22);
        feed(AuditRecord.EOE, 144, "");
        assertEquals(List.of(30001L, 30002L, 30005L), out.events.stream().map(ProbeEvent::guestPid).toList());
        assertTrue(out.events.stream().allMatch(e -> e.source() == ProbeSource.NET_CONNECT_ATTEMPTED
                && "127.0.0.1:22".equals(e.extensions().peer())), out.events.toString());
        assertEquals(0, out.lost, "a send that is no connect is nothing lost either");
    }

    @Test
    void aConnectIsDeclaredWhenItsAddressArrives() {
        assembler.clock(10_000_000_000L, STAMP + 3);
        feed(AuditRecord.SYSCALL, 136, TCP_CONNECT.formatted(26876, 26918));
        assertEquals(List.of(), out.events);
        feed(AuditRecord.SOCKADDR, 136, TO_LOCALHOST_22);
        feed(AuditRecord.EOE, 136, "");
        ProbeEvent e = only(out.events);
        assertEquals(ProbeSource.NET_CONNECT_ATTEMPTED, e.source());
        assertEquals(26918, e.guestPid());
        assertEquals("bash", e.guestComm());
        assertEquals("127.0.0.1:22", e.extensions().peer());
        assertEquals(10_000_000_000L - 3_000_000L, e.guestMonotonicNs(), "dated when the kernel stamped it");
    }

    @Test
    void aConnectToALocalSocketIsNotDeclared() {
        feed(AuditRecord.SYSCALL, 19, TCP_CONNECT.formatted(1, 2));
        feed(AuditRecord.SOCKADDR, 19, TO_NSCD);
        feed(AuditRecord.EOE, 19, "");
        assertEquals(List.of(), out.events);
        assertEquals(0, out.lost);
    }

    @Test
    void interleavedEventsAreEachAssembledFromTheirOwnRecords() {
        feed(AuditRecord.SYSCALL, 200, TCP_CONNECT.formatted(1, 100));
        feed(AuditRecord.SYSCALL, 201, TCP_CONNECT.formatted(1, 101));
        feed(AuditRecord.SOCKADDR, 201, TO_IPV6_LOCALHOST_443);
        feed(AuditRecord.SOCKADDR, 200, TO_LOCALHOST_22);
        feed(AuditRecord.EOE, 201, "");
        feed(AuditRecord.EOE, 200, "");
        assertEquals(2, out.events.size());
        assertEquals(101, out.events.get(0).guestPid());
        assertEquals("[::1]:443", out.events.get(0).extensions().peer());
        assertEquals(100, out.events.get(1).guestPid());
        assertEquals("127.0.0.1:22", out.events.get(1).extensions().peer());
    }

    @Test
    void whenTooManyConnectsWaitForTheirAddressTheOldestIsCountedAsLost() {
        for (int serial = 1; serial <= 5; serial++) {
            feed(AuditRecord.SYSCALL, serial, TCP_CONNECT.formatted(1, 1000 + serial));
        }
        assertEquals(1, out.lost, "a table of 4: the first made room for the fifth");
        for (int serial = 1; serial <= 5; serial++) {
            feed(AuditRecord.SOCKADDR, serial, TO_LOCALHOST_22);
        }
        assertEquals(List.of(1002L, 1003L, 1004L, 1005L), out.events.stream().map(ProbeEvent::guestPid).toList());
    }

    @Test
    void anAddressWithoutItsCallRecordIsIgnored() {
        feed(AuditRecord.SOCKADDR, 7, TO_LOCALHOST_22);
        assertEquals(List.of(), out.events);
    }

    @Test
    void aRefusedPrivilegedCallIsDeclaredFromItsCallRecord() {
        feed(AuditRecord.SYSCALL, 23, REFUSED_SETHOSTNAME);
        ProbeEvent e = only(out.events);
        assertEquals(ProbeSource.CAPABILITY_DENIED, e.source());
        assertEquals(26611, e.guestPid());
        assertEquals("hostname", e.guestComm());
        assertEquals(170, e.extensions().syscall());
        assertNull(e.extensions().capability(), "audit does not say which capability");
    }

    @Test
    void aFailureThatIsNoRefusalIsNotDeclared() {
        feed(AuditRecord.SYSCALL, 23, REFUSED_SETHOSTNAME.replace("exit=-1", "exit=-22"));
        feed(AuditRecord.SYSCALL, 24, REFUSED_SETHOSTNAME.replace("syscall=170", "syscall=0"));
        feed(AuditRecord.SYSCALL, 25, REFUSED_SETHOSTNAME.replace("arch=c000003e", "arch=40000003"));
        assertEquals(List.of(), out.events);
    }

    @Test
    void aSeccompRefusalIsDeclaredWithTheSyscallWhenItWasAnX8664Call() {
        feed(AuditRecord.SECCOMP, 138, SECCOMP.formatted("c000003e", 62, "0x50000"));
        assertEquals(62, only(out.events).extensions().syscall());
        out.events.clear();
        feed(AuditRecord.SECCOMP, 139, SECCOMP.formatted("c000003e", 0x40000000 + 62, "0x50000"));
        assertNull(only(out.events).extensions().syscall(), "an x32 call has no x86-64 number");
        out.events.clear();
        feed(AuditRecord.SECCOMP, 140, SECCOMP.formatted("40000003", 37, "0x80000000"));
        assertNull(only(out.events).extensions().syscall(), "an i386 call has no x86-64 number");
    }

    @Test
    void aSeccompVerdictThatLetsTheCallThroughIsNotDeclared() {
        feed(AuditRecord.SECCOMP, 138, SECCOMP.formatted("c000003e", 62, "0x7ffc0000"));
        feed(AuditRecord.SECCOMP, 139, SECCOMP.formatted("c000003e", 62, "0x7fc00000"));
        assertEquals(List.of(), out.events);
    }

    @Test
    void aProcessOutOfScopeIsDeclaredWhenItsParentIsInScope() {
        RecordingOutput scoped = new RecordingOutput(Set.of(26876, 26497));
        feed(AuditRecord.SYSCALL, 1, TCP_CONNECT.formatted(26876, 26918), scoped);
        feed(AuditRecord.SOCKADDR, 1, TO_LOCALHOST_22, scoped);
        feed(AuditRecord.SYSCALL, 2, TCP_CONNECT.formatted(5, 6), scoped);
        feed(AuditRecord.SOCKADDR, 2, TO_LOCALHOST_22, scoped);
        feed(AuditRecord.SYSCALL, 3, REFUSED_SETHOSTNAME, scoped);
        feed(AuditRecord.SECCOMP, 4, SECCOMP.formatted("c000003e", 62, "0x50000"), scoped);
        assertEquals(List.of(26918L, 26611L), scoped.events.stream().map(ProbeEvent::guestPid).toList());
    }

    private void feed(int type, long serial, String fields) {
        feed(type, serial, fields, out);
    }

    private void feed(int type, long serial, String fields, ProbeOutput to) {
        String text = "audit(" + STAMP / 1000 + "." + STAMP % 1000 + ":" + serial + "): " + fields;
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        assertTrue(record.reset(bytes, bytes.length), text);
        assembler.accept(type, record, to);
    }

    private static ProbeEvent only(List<ProbeEvent> events) {
        assertEquals(1, events.size(), () -> "one event: " + events);
        return events.getFirst();
    }

}
