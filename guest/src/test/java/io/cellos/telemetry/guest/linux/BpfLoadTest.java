package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;

import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading programs into the real kernel's verifier (root). */
class BpfLoadTest {
    @Test
    void aProgramTheVerifierRefusesSaysWhyInItsError() {
        EbpfProgram reads = new EbpfProgram()
                .mov(R0, R2)   // r2 was never written
                .exit();
        BpfLoadException e = assertThrows(BpfLoadException.class,
                () -> Bpf.loadProgram(Bpf.PROG_TYPE_TRACEPOINT, reads, "cellos_bad").close());
        assertEquals(Errno.EACCES, e.errno(), e.getMessage());
        assertEquals("bpf(BPF_PROG_LOAD, cellos_bad)", e.call());
        assertTrue(e.verifierLog().contains("R2 !read_ok"), e.verifierLog());
        assertTrue(e.getMessage().startsWith("bpf(BPF_PROG_LOAD, cellos_bad): errno 13 (EACCES"), e.getMessage());
        assertTrue(e.getMessage().contains("the verifier says") && e.getMessage().contains("R2 !read_ok"), e.getMessage());
    }
}
