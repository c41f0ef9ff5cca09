package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The channel's constants and the little-endian length prefix (protocol.md §1–§4). */
class WireTest {

    @Test
    void theConstantsAreTheContracts() {
        assertEquals(2, Wire.VMADDR_CID_HOST);
        assertEquals(9001, Wire.VSOCK_TELEMETRY_PORT);
        assertEquals(9000, Wire.VSOCK_EXIT_PORT);
        assertEquals(4096, Wire.MAX_BODY_BYTES);
        assertEquals(4100, Wire.MAX_FRAME_BYTES);
        assertEquals(16, Wire.MAX_COMM_BYTES);
        assertEquals(16, Wire.MAX_ENTRIES);
        assertEquals(0x0100, Wire.VERSION_1_0);
        assertEquals(0x0101, Wire.VERSION_1_1);
    }

    @Test
    void thePrefixIsLittleEndian() {
        byte[] b = new byte[6];
        Wire.writeLength(b, 1, 0x0403_0201);
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 0}, b);
        assertEquals(103, Wire.readLength(new byte[] {0x67, 0, 0, 0}, 0));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 4096, 4097, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void thePrefixIsReadUnsigned(long length) {
        byte[] b = new byte[4];
        Wire.writeLength(b, 0, (int) length);
        assertEquals(length, Wire.readLength(b, 0));
    }

    @Test
    void majorAndMinorAreTheHighAndLowByte() {
        assertEquals(1, Wire.major(0x0102));
        assertEquals(2, Wire.minor(0x0102));
        assertEquals(0xff, Wire.major(0xff00));
        assertEquals(0, Wire.minor(0xff00));
    }
}
