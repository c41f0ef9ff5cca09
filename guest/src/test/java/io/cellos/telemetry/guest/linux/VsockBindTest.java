package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vsock path through the FFM bindings, as far as it may go on a machine whose CID 2 is not
 * ours: a socket is created and bound locally, and nothing here ever dials a vsock peer.
 */
class VsockBindTest {
    @Test
    void sockaddrVmHasTheKernelsLayout() {
        assertEquals(16, SockAddr.SOCKADDR_VM.byteSize());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = SockAddr.vsock(a, 2, 9001);
            assertEquals(SockAddr.AF_VSOCK, s.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 0));
            assertEquals(9001, s.get(JAVA_INT, 4));
            assertEquals(2, s.get(JAVA_INT, 8));
        }
    }

    @Test
    void aVsockStreamSocketIsCreatedAndBoundLocally() throws Exception {
        try (Arena a = Arena.ofConfined();
             Fd fd = new Fd((int) Libc.SOCKET.call("AF_VSOCK", SockAddr.AF_VSOCK,
                     SockAddr.SOCK_STREAM | SockAddr.SOCK_CLOEXEC, 0), "vsock")) {
            MemorySegment any = SockAddr.vsock(a, SockAddr.VMADDR_CID_ANY, SockAddr.VMADDR_PORT_ANY);
            Libc.BIND.call("vsock any", fd.get(), any, (int) SockAddr.SOCKADDR_VM.byteSize());
            assertTrue(fd.isOpen());
        }
    }

    @Test
    void aFailedCallNamesTheCallAndTheErrno() {
        ErrnoException e = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class,
                () -> Libc.SOCKET.call("family 12345", 12345, SockAddr.SOCK_STREAM, 0));
        assertEquals(Errno.EAFNOSUPPORT, e.errno());
        assertTrue(e.getMessage().startsWith("socket(family 12345): errno 97 (EAFNOSUPPORT: "), e.getMessage());
    }
}
