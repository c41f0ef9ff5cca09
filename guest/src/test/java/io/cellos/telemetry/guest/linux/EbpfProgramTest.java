package io.cellos.telemetry.guest.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.HexFormat;

import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.NE;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R1;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R10;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R3;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R6;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R7;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R8;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The builder's encoding, against bytes worked out by hand from {@code struct bpf_insn} and the
 * opcode bits of {@code <linux/bpf.h>} and {@code <linux/bpf_common.h>} (class | size/op | mode/source;
 * {@code src << 4 | dst}; little-endian {@code off} and {@code imm}), as {@code llvm-objdump} prints them.
 */
class EbpfProgramTest {
    @Test
    void eachInstructionEncodesAsTheKernelHeadersSay() {
        assertEncodes("bf16000000000000", new EbpfProgram().mov(R6, R1));                            // 0x07|0xb0|0x08
        assertEncodes("b700000000000000", new EbpfProgram().movImm(R0, 0));                         // 0x07|0xb0
        assertEncodes("07020000fcffffff", new EbpfProgram().addImm(R2, -4));                        // 0x07|0x00
        assertEncodes("0f63000000000000", new EbpfProgram().addReg(R3, R6));                      // 0x07|0x00|0x08
        assertEncodes("1f82000000000000", new EbpfProgram().subReg(R2, R8));                      // 0x07|0x10|0x08
        assertEncodes("5701000000000100", new EbpfProgram().andImm(R1, 0x10000));                   // 0x07|0x50
        assertEncodes("7700000020000000", new EbpfProgram().rshImm(R0, 32));                        // 0x07|0x70
        assertEncodes("7961200000000000", new EbpfProgram().load(EbpfProgram.Size.DW, R1, R6, 32)); // 0x01|0x60|0x18
        assertEncodes("71610c0000000000", new EbpfProgram().load(EbpfProgram.Size.B, R1, R6, 12));  // 0x01|0x60|0x10
        assertEncodes("6317040000000000", new EbpfProgram().store(EbpfProgram.Size.W, R7, 4, R1));  // 0x03|0x60|0x00
        assertEncodes("620afcff00000000", new EbpfProgram().storeImm(EbpfProgram.Size.W, R10, -4, 0)); // 0x02|0x60
        assertEncodes("db18080000000000", new EbpfProgram().atomicAdd(R8, 8, R1));                  // 0x03|0xc0|0x18, imm BPF_ADD
        assertEncodes("850000000e000000", new EbpfProgram().call(BpfHelper.GET_CURRENT_PID_TGID));  // 0x05|0x80, imm 14
        assertEncodes("9500000000000000", new EbpfProgram().exit());                                // 0x05|0x90
    }

    @Test
    void aSixtyFourBitImmediateTakesTwoSlotsAndAMapFdIsAPseudoLoad() {
        assertEncodes("1802000088776655" + "0000000044332211", new EbpfProgram().loadImm64(R2, 0x1122334455667788L));
        assertEncodes("1811000005000000" + "0000000000000000", new EbpfProgram().loadMapFd(R1, 5)); // src BPF_PSEUDO_MAP_FD
        assertEquals(2, new EbpfProgram().loadMapFd(R1, 5).slots());
        // src BPF_PSEUDO_MAP_VALUE: the fd in the first slot's immediate, the offset into the value in the second's
        assertEncodes("1821000005000000" + "0000000008000000", new EbpfProgram().loadMapValue(R1, 5, 8));
        assertEquals(2, new EbpfProgram().loadMapValue(R1, 5, 8).slots());
    }

    @Test
    void jumpsCountSlotsFromTheNextOneBothWays() {
        EbpfProgram p = new EbpfProgram()
                .label("top")
                .jumpIf(R0, NE, 0, "end")          // over the ld_imm64 (2 slots) and the goto: +3
                .loadImm64(R1, 1)
                .jump("top")                        // back to slot 0 from slot 3: -4
                .label("end")
                .exit();
        assertEncodes("5500030000000000" + "1801000001000000" + "0000000000000000" + "0500fcff00000000"
                + "9500000000000000", p);
    }

    @Test
    void aLabelNeverPlacedOrPlacedTwiceIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            EbpfProgram p = new EbpfProgram().jump("nowhere").exit();
            assertThrows(IllegalStateException.class, () -> p.encode(arena));
        }
        assertThrows(IllegalStateException.class, () -> new EbpfProgram().label("a").label("a"));
        assertThrows(IllegalArgumentException.class, () -> new EbpfProgram().mov(11, R0));
    }


    private static void assertEncodes(String hex, EbpfProgram p) {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(hex, HexFormat.of().formatHex(p.encode(arena).toArray(JAVA_BYTE)));
        }
    }
}
